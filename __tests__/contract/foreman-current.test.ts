import { describeForemanContract } from './foreman-contract.js'

describeForemanContract('current')
