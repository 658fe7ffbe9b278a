// The interactive transcript: each line seeks the video, the line being spoken is highlighted (aria-current),
// and a search box shows only the lines that contain the words typed. The lines are links that work without
// JavaScript (they reload the page with the video starting at that line).

export class Transcript {
  /**
   * @param {HTMLElement} root - the [data-module="app-transcript"] section
   * @param {HTMLVideoElement} video
   */
  constructor (root, video) {
    this.root = root
    this.video = video
    this.body = root.querySelector('[data-transcript-body]')
    this.cues = Array.from(root.querySelectorAll('.app-transcript__cue')).map((link) => ({
      link,
      start: Number(link.dataset.start),
      end: Number(link.dataset.end),
      text: link.textContent.replace(/\s+/g, ' ').trim().toLowerCase()
    }))
    this.current = null
    if (!this.body || this.cues.length === 0) return

    for (const cue of this.cues) {
      cue.link.addEventListener('click', (event) => {
        event.preventDefault()
        this.seek(cue.start)
      })
    }
    video.addEventListener('timeupdate', () => this.highlight())
    video.addEventListener('seeked', () => this.highlight())

    const search = root.querySelector('[data-transcript-search]')
    const query = root.querySelector('[data-transcript-query]')
    this.result = root.querySelector('[data-transcript-result]')
    if (search && query) {
      search.hidden = false
      query.addEventListener('input', () => this.filter(query.value))
      // Enter in the search box must not submit anything or reload the page.
      query.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') event.preventDefault()
      })
    }
  }

  seek (seconds) {
    this.video.currentTime = seconds
    this.highlight()
    const playing = this.video.play()
    if (playing) playing.catch(() => {}) // a browser that refuses to play still shows the frame
  }

  /** Mark the line being spoken, and keep it in view inside the transcript box (never scrolling the page). */
  highlight () {
    const time = this.video.currentTime
    const cue = this.cues.find((candidate) => candidate.start <= time && time < candidate.end) || null
    if (cue === this.current) return
    if (this.current) {
      this.current.link.removeAttribute('aria-current')
      this.current.link.classList.remove('app-transcript__cue--current')
    }
    this.current = cue
    if (!cue) return
    cue.link.setAttribute('aria-current', 'true')
    cue.link.classList.add('app-transcript__cue--current')
    const box = this.body
    if (box.scrollHeight > box.clientHeight && !box.contains(document.activeElement)) {
      const top = cue.link.offsetTop - box.offsetTop
      if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - cue.link.offsetHeight) {
        box.scrollTop = Math.max(0, top - box.clientHeight / 3)
      }
    }
  }

  filter (value) {
    const words = value.toLowerCase().split(/\s+/).filter(Boolean)
    let shown = 0
    for (const cue of this.cues) {
      const match = words.every((word) => cue.text.includes(word))
      cue.link.hidden = !match
      if (match) shown += 1
    }
    for (const paragraph of this.body.querySelectorAll('[data-transcript-paragraph]')) {
      const visible = Array.from(paragraph.querySelectorAll('.app-transcript__cue')).some((link) => !link.hidden)
      paragraph.hidden = !visible
    }
    if (!this.result) return
    if (words.length === 0) {
      this.result.textContent = ''
    } else if (shown === 0) {
      this.result.textContent = `No lines contain “${value.trim()}”.`
    } else {
      this.result.textContent = `${shown} ${shown === 1 ? 'line contains' : 'lines contain'} “${value.trim()}”.`
    }
  }
}
