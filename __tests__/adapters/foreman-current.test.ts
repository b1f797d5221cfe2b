import { describeForemanProfile } from './foreman-profile.js'

describeForemanProfile('current')
