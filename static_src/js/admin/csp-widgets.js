// Wagtail's chooser and date widgets start themselves with an inline <script> such as
//   new Chooser("id_video", {"modalUrl": "/admin/video_chooser/"});
//   initDateTimeChooser("id_go_live_at", {"format": "Y-m-d H:i", ...});
// which our strict Content Security Policy (no inline script) blocks, leaving "Choose a video" and the date
// pickers dead. The blocked scripts stay in the page as text, so this file (served from our own origin) reads
// each one and makes the same call – without eval: only these known constructors and functions, with arguments
// that must parse as JSON. Widgets added to the page later (e.g. a new inline panel form) are handled too.

const CONSTRUCTOR = /^new ([A-Za-z]*Chooser)\(("(?:[^"\\]|\\.)*")(?:,\s*(\{[\s\S]*\}))?\);?$/
const FUNCTION = /^(init(?:Date|DateTime|Time)Chooser)\(("(?:[^"\\]|\\.)*"),\s*(\{[\s\S]*\})\);?$/

function start(script) {
  if (script.src || script.type || script.dataset.cspWidgetStarted) return
  const text = script.textContent.trim()
  const call = text.match(CONSTRUCTOR) || text.match(FUNCTION)
  if (!call) return
  const [, name, idJson, optionsJson] = call
  const target = window[name]
  if (typeof target !== 'function') return
  script.dataset.cspWidgetStarted = 'true'
  try {
    const id = JSON.parse(idJson)
    const options = optionsJson ? JSON.parse(optionsJson) : undefined
    if (text.startsWith('new ')) {
      new target(id, options) // eslint-disable-line new-cap, no-new
    } else {
      target(id, options)
    }
  } catch (error) {
    console.error('Could not start the widget', name, error)
  }
}

function startAll(root) {
  if (root.tagName === 'SCRIPT') start(root)
  root.querySelectorAll?.('script:not([src]):not([type])').forEach(start)
}

function init() {
  startAll(document)
  new MutationObserver((changes) => {
    changes.forEach((change) => change.addedNodes.forEach((node) => node.nodeType === 1 && startAll(node)))
  }).observe(document.body, { childList: true, subtree: true })
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', init)
} else {
  init()
}
