// Copies the project's JavaScript sources into static/js/. No bundler: each file is an ES module served as is,
// importing GOV.UK Frontend from the npm package that Django serves under /static/govuk/.
import { cpSync, mkdirSync } from 'node:fs'

mkdirSync('static/js', { recursive: true })
cpSync('static_src/js', 'static/js', { recursive: true })
