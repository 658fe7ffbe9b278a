// The video's page in the Wagtail admin: while the video is waiting or being processed, ask the status endpoint
// every few seconds and, when the status changes, swap in the fresh part of the page it sends. Without
// JavaScript the page shows a "Refresh" link instead.

const POLL_MILLISECONDS = 3000
const PENDING = new Set(['uploaded', 'processing'])

// Wagtail initialises collapsible panels once, on page load; panels swapped in later need the same behaviour.
function initPanelToggles(root) {
  root.querySelectorAll('[data-panel-toggle]').forEach((toggle) => {
    const content = document.getElementById(toggle.getAttribute('aria-controls'))
    if (!content) return
    toggle.addEventListener('click', () => {
      const expanded = toggle.getAttribute('aria-expanded') === 'true'
      toggle.setAttribute('aria-expanded', String(!expanded))
      content.hidden = expanded
    })
  })
}

function watch(region) {
  const url = region.dataset.statusUrl
  const announce = document.querySelector('[data-video-announce]')
  let status = region.dataset.status
  if (!url || !PENDING.has(status)) return
  region.querySelectorAll('[data-video-refresh]').forEach((link) => { link.hidden = true })

  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
        credentials: 'same-origin',
        cache: 'no-store',
      })
      if (response.ok) {
        const state = await response.json()
        if (state.status !== status) {
          status = state.status
          region.dataset.status = status
          region.innerHTML = state.html
          initPanelToggles(region)
          region.querySelectorAll('[data-video-refresh]').forEach((link) => { link.hidden = true })
          if (announce) announce.textContent = `Status: ${state.status_label}`
        }
        if (state.finished) return
      } else if (response.status === 404 || response.status === 403) {
        return // deleted, or no longer allowed: nothing more to show
      }
    } catch (error) {
      // A network blip: try again at the next tick.
    }
    window.setTimeout(poll, POLL_MILLISECONDS)
  }
  window.setTimeout(poll, POLL_MILLISECONDS)
}

document.querySelectorAll('[data-video-state]').forEach(watch)
