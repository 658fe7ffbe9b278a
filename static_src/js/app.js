// Site-wide progressive enhancement: start GOV.UK Frontend's components.
import { initAll } from '../govuk/govuk-frontend.min.js'
import { initPlayers } from './player/player.js'

initAll()
initPlayers()
