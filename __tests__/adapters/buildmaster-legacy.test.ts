import { describeBuildMasterProfile } from './buildmaster-profile.js'

describeBuildMasterProfile('legacy')
