// Site-wide progressive enhancement: start GOV.UK Frontend's components.
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()
