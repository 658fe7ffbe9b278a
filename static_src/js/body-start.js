// Runs first in <body>: lets GOV.UK Frontend styles know JavaScript is available (kept external for the CSP).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
