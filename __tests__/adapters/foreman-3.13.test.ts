import { describeForemanProfile } from './foreman-profile.js'

describeForemanProfile('3.13')
