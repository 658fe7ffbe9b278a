// The learning player: progressive enhancement of templates/components/player/player.html. Without JavaScript the
// native <video> plays the 720p rendition with captions from where the learner left off, and the transcript is
// there. This adds: playback speed, the remembered "data saver" (360p) choice, "start from the beginning" without
// a reload, the interactive transcript, and progress heartbeats with completion shown as it happens.

import { ProgressReporter } from './progress.js'
import { Transcript } from './transcript.js'

const DATA_SAVER_KEY = 'jcp-learning:data-saver'

function remembered (key) {
  try {
    return window.localStorage.getItem(key)
  } catch {
    return null // storage blocked: the choice just is not remembered
  }
}

function remember (key, value) {
  try {
    if (value === null) window.localStorage.removeItem(key)
    else window.localStorage.setItem(key, value)
  } catch {}
}

export class Player {
  constructor (root) {
    this.root = root
    this.video = root.querySelector('[data-player-video]')
    const data = root.dataset
    this.duration = Number(data.duration)
    this.completed = data.completed === 'true'
    this.announcer = root.querySelector('[data-player-announcer]')
    this.problem = root.querySelector('[data-player-error]')

    this.sources = {}
    for (const source of this.video.querySelectorAll('source')) {
      this.sources[source.dataset.profile] = source.getAttribute('src').split('#')[0]
    }

    this.reporter = new ProgressReporter({
      video: this.video,
      item: Number(data.item),
      duration: this.duration,
      url: data.progressUrl,
      csrfToken: data.csrfToken,
      heartbeatSeconds: Number(data.heartbeatSeconds) || 10,
      onProgress: (progress) => this.showProgress(progress),
      onProblem: (message) => this.showProblem(message)
    })

    const controls = root.querySelector('[data-player-controls]')
    if (controls) controls.hidden = false
    this.setUpSpeed()
    this.setUpDataSaver()
    this.setUpRestart()
    const transcript = root.querySelector('[data-module="app-transcript"]')
    if (transcript) this.transcript = new Transcript(transcript, this.video)
  }

  setUpSpeed () {
    const select = this.root.querySelector('[data-player-speed]')
    if (!select) return
    select.addEventListener('change', () => {
      // load() (when data saver switches rendition) resets the speed to the default, so set both.
      this.video.defaultPlaybackRate = this.video.playbackRate = Number(select.value)
    })
    // Keep the menu in step when the browser's own controls change the speed.
    this.video.addEventListener('ratechange', () => {
      const value = String(this.video.playbackRate)
      if (Array.from(select.options).some((option) => option.value === value)) select.value = value
    })
  }

  setUpDataSaver () {
    const checkbox = this.root.querySelector('[data-player-data-saver]')
    if (!checkbox || !this.sources['360p']) return
    checkbox.checked = remembered(DATA_SAVER_KEY) === 'on'
    if (checkbox.checked) this.switchTo('360p')
    checkbox.addEventListener('change', () => {
      remember(DATA_SAVER_KEY, checkbox.checked ? 'on' : null)
      this.switchTo(checkbox.checked ? '360p' : '720p')
      this.announce(checkbox.checked ? 'Data saver is on: lower quality video.' : 'Data saver is off.')
    })
  }

  /** Play another rendition from the same moment, keeping what was watched so far. */
  switchTo (profile) {
    const url = this.sources[profile]
    if (!url) return
    const video = this.video
    const at = video.currentTime || Number(this.root.dataset.startAt) || 0
    const playing = !video.paused
    // load() resets playbackRate to defaultPlaybackRate; a speed chosen while the new rendition loads lands there.
    video.defaultPlaybackRate = video.playbackRate
    this.reporter.collect() // video.played is reset by load()
    video.src = at > 0 ? `${url}#t=${at.toFixed(2)}` : url
    video.load()
    video.addEventListener('loadedmetadata', () => {
      if (at > 0 && Math.abs(video.currentTime - at) > 0.5) video.currentTime = at
      video.playbackRate = video.defaultPlaybackRate
      if (playing) video.play().catch(() => {})
    }, { once: true })
  }

  setUpRestart () {
    const link = this.root.querySelector('[data-player-restart]')
    if (!link) return
    link.addEventListener('click', (event) => {
      event.preventDefault()
      this.video.currentTime = 0
      this.root.dataset.startAt = '0'
      const note = link.closest('[data-player-resume]')
      this.video.focus()
      if (note) note.hidden = true
      this.announce('The video will start from the beginning.')
    })
  }

  showProgress (progress) {
    const text = this.root.querySelector('[data-player-progress]')
    if (progress.completed) {
      if (!this.completed) {
        this.completed = true
        this.root.dataset.completed = 'true'
        const banner = this.root.querySelector('[data-player-completed-banner]')
        if (banner) banner.hidden = false
        this.announce(`Completed. ${banner ? banner.querySelector('.govuk-notification-banner__heading').textContent : ''}`)
        for (const tag of document.querySelectorAll('[data-status-tag]')) {
          tag.textContent = 'Completed'
          tag.classList.remove('govuk-tag--grey', 'govuk-tag--light-blue')
          tag.classList.add('govuk-tag--green')
        }
      }
      if (text) text.textContent = 'You have completed this.'
    } else if (text) {
      text.textContent = `You have watched ${progress.percent}%.`
      for (const tag of document.querySelectorAll('[data-status-tag]')) {
        if (tag.textContent.trim() === 'Not started') {
          tag.textContent = 'In progress'
          tag.classList.replace('govuk-tag--grey', 'govuk-tag--light-blue')
        }
      }
    }
  }

  showProblem (message) {
    if (!this.problem) return
    this.problem.hidden = !message
    this.problem.textContent = message ? `Error: ${message}` : ''
  }

  announce (message) {
    if (!this.announcer) return
    // Cleared first so that the same words are announced again.
    this.announcer.textContent = ''
    window.setTimeout(() => { this.announcer.textContent = message }, 50)
  }
}

export function initPlayers (scope = document) {
  for (const root of scope.querySelectorAll('[data-module="app-player"]')) {
    if (root.dataset.playerReady) continue
    root.dataset.playerReady = 'true'
    try {
      root.player = new Player(root)
    } catch (error) {
      // The native player keeps working without the enhancements.
      console.error('Player enhancements could not start', error)
    }
  }
}
