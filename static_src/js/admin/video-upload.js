// Video upload form (Wagtail admin), progressive enhancement. Without JavaScript the form is an ordinary
// multipart POST. With it:
//  - "Add another caption file" adds a captions fieldset from the formset's empty form;
//  - the form is sent with XMLHttpRequest so a <progress> bar can show how much has been uploaded;
//    on success the server answers {"location": …} and we go there; if the form has errors the server
//    answers with the page again and we swap in its form (and messages), so the title the volunteer typed is kept.

const PREFIX = 'captions'

function enhanceCaptionForms(form) {
  const container = form.querySelector('[data-caption-forms]')
  const template = form.querySelector('template[data-caption-template]')
  const addButton = form.querySelector('[data-caption-add]')
  const total = form.querySelector(`input[name="${PREFIX}-TOTAL_FORMS"]`)
  const max = form.querySelector(`input[name="${PREFIX}-MAX_NUM_FORMS"]`)
  if (!container || !template || !addButton || !total) return

  const updateButton = () => {
    addButton.hidden = max !== null && Number(total.value) >= Number(max.value)
  }
  addButton.addEventListener('click', () => {
    const index = Number(total.value)
    const html = template.innerHTML.replaceAll('__prefix__', String(index)).replaceAll('__number__', String(index + 1))
    container.insertAdjacentHTML('beforeend', html)
    total.value = String(index + 1)
    updateButton()
    const added = container.lastElementChild
    const firstInput = added && added.querySelector('input, select')
    if (firstInput) firstInput.focus()
  })
  updateButton()
}

function enhanceUpload(form) {
  const progress = form.querySelector('[data-upload-progress]')
  const bar = form.querySelector('[data-upload-progress-bar]')
  const text = form.querySelector('[data-upload-progress-text]')
  const label = form.querySelector('[data-upload-progress-label]')
  const errorBox = form.querySelector('[data-upload-error]')
  const errorText = form.querySelector('[data-upload-error-text]')
  const submit = form.querySelector('[data-upload-submit]')
  if (!progress || !bar || !window.FormData) return
  let sending = false

  const showProgress = (percent) => {
    bar.value = percent
    bar.textContent = `${percent}%`
    // Screen readers hear every 10%, not every progress event.
    const spoken = percent === 100 ? 100 : Math.floor(percent / 10) * 10
    if (text.dataset.spoken !== String(spoken)) {
      text.dataset.spoken = String(spoken)
      text.textContent = `${spoken}%`
    }
    form.dataset.uploadPercent = String(percent)
  }
  const fail = (message) => {
    sending = false
    submit.disabled = false
    progress.hidden = true
    errorText.textContent = message
    errorBox.hidden = false
    errorBox.scrollIntoView({ block: 'center' })
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (sending) return
    sending = true
    submit.disabled = true
    errorBox.hidden = true
    progress.hidden = false
    label.textContent = 'Uploading…'
    showProgress(0)

    const request = new XMLHttpRequest()
    request.open('POST', form.action)
    request.setRequestHeader('X-Requested-With', 'XMLHttpRequest')
    request.upload.addEventListener('progress', (progressEvent) => {
      if (progressEvent.lengthComputable) {
        showProgress(Math.round((progressEvent.loaded / progressEvent.total) * 100))
      }
    })
    request.upload.addEventListener('load', () => {
      showProgress(100)
      label.textContent = 'Uploaded. Saving the video…'
    })
    request.addEventListener('error', () => {
      fail('The upload stopped before it finished. Check your connection, then choose Upload video again.')
    })
    request.addEventListener('load', () => {
      const type = request.getResponseHeader('Content-Type') || ''
      if (request.status === 200 && type.includes('application/json')) {
        window.location.assign(JSON.parse(request.responseText).location)
        return
      }
      if (request.status === 200 && type.includes('text/html')) {
        const page = new DOMParser().parseFromString(request.responseText, 'text/html')
        const newForm = page.querySelector('[data-video-upload-form]')
        if (newForm) {
          replaceForm(form, newForm, page)
          return
        }
        // Not the form (for example the sign-in page after a long break): show that page.
        window.location.assign(request.responseURL)
        return
      }
      if (request.status === 413) {
        fail('The file is too big to upload. Ask for a smaller copy of the video.')
        return
      }
      fail(`The upload could not be saved (error ${request.status}). Try again, and tell the JCP Learning team if this keeps happening.`)
    })
    request.send(new FormData(form))
  })
}

function replaceForm(oldForm, newForm, page) {
  const newMessages = page.querySelector('.messages')
  const oldMessages = document.querySelector('.messages')
  if (newMessages && oldMessages) oldMessages.innerHTML = newMessages.innerHTML
  const adopted = document.importNode(newForm, true)
  oldForm.replaceWith(adopted)
  enhance(adopted)
  const firstError = adopted.querySelector('[data-form-errors], .w-field--error input, .w-field--error select')
  if (firstError) {
    firstError.focus()
    firstError.scrollIntoView({ block: 'center' })
  }
}

function enhance(form) {
  enhanceCaptionForms(form)
  enhanceUpload(form)
}

document.querySelectorAll('[data-video-upload-form]').forEach(enhance)
