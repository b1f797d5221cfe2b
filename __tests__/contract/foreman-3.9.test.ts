import { describeForemanContract } from './foreman-contract.js'

describeForemanContract('3.9')
