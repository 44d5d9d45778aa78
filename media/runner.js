// @ts-check
/**
 * The Runner view's page (a webview view in the sidebar, or the panel when dragged there). It
 * renders only what the extension's view model says (client/src/webviews/runner/view-model.ts),
 * as DOM built with createElement and textContent: workflow names, inputs and errors are data,
 * never markup. The form's data lives in the extension, which renders again after every edit;
 * so the page builds its controls once and updates them in place, and a field the user is typing
 * in keeps its text, caret and focus until the extension has the same text. VS Code's webview
 * state keeps only the scroll position and the last thing announced. It posts the messages of
 * client/src/webviews/runner/messages.ts.
 */
'use strict';

(function () {
  /** media/webview-dom.js, loaded first. */
  const dom =
    /** @type {{ element: <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string) => HTMLElementTagNameMap[K]; button: (text: string, className: string, onClick: () => void) => HTMLButtonElement }} */ (
      /** @type {any} */ (globalThis).lockstepDom
    );
  const { element, button } = dom;
  /** @type {{ postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void }} */
  const vscode = /** @type {any} */ (globalThis).acquireVsCodeApi();

  /** How long typing pauses before the field's text is sent. */
  const DEBOUNCE_MS = 150;
  const SHORTCUT = /Mac|iPhone|iPad/.test(navigator.userAgent) ? '⌘Enter' : 'Ctrl+Enter';

  /**
   * Where the focus goes when the focused control goes away: Run turns into Cancel while the
   * run is going, Cancel back into Run (or Open Details) once it ended.
   * @type {Record<string, string[]>}
   */
  const FOCUS_FALLBACK = {
    run: ['cancel', 'open-details'],
    cancel: ['run', 'open-details'],
    'notice-action': ['run'],
    'choose-fixtures': ['mode-scripted'],
  };

  /**
   * @typedef {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} Control
   * @typedef {{
   *   name: string;
   *   kind: string;
   *   signature: string;
   *   wrap: HTMLElement;
   *   marker: HTMLElement;
   *   control: Control;
   *   hint: HTMLElement;
   *   error: HTMLElement;
   * }} FieldEntry
   * @typedef {{
   *   item: HTMLLIElement;
   *   symbol: HTMLElement;
   *   path: HTMLElement;
   *   elapsed: HTMLElement;
   *   tokens: HTMLElement;
   *   error: HTMLElement;
   * }} StepEntry
   */

  /**
   * What survives the page: the scroll position and the last thing announced (so showing the view
   * again does not say it again).
   * @type {{ scrollY: number; announced?: string }}
   */
  const state = restoredState(vscode.getState());
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));

  /** The view last rendered. @type {any} */
  let view;
  let rendered = false;
  /** A focus request that came before the first render. @type {{ field?: string } | undefined} */
  let pendingFocus;

  /** The fields' controls by input name. @type {Map<string, FieldEntry>} */
  const fields = new Map();
  /** Typing not sent yet, by input name. @type {Map<string, ReturnType<typeof setTimeout>>} */
  const timers = new Map();
  /**
   * Texts the user typed that the extension has not rendered back yet, by input name: while a
   * field has one, the field's text is the user's, not the view's (a render that crossed the
   * typing on its way must not undo it).
   * @type {Map<string, string>}
   */
  const typed = new Map();
  /** The step rows by path. @type {Map<string, StepEntry>} */
  const stepRows = new Map();

  const ui = buildPage();

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (!message || typeof message !== 'object') return;
    if (message.type === 'render' && message.view && typeof message.view === 'object') {
      render(message.view);
    } else if (message.type === 'focus') {
      const request = typeof message.field === 'string' ? { field: message.field } : {};
      if (rendered) focusRequested(request);
      else pendingFocus = request;
    }
  });

  // Ctrl+Enter (Cmd+Enter) runs from anywhere in the page.
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
    if (event.altKey || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    runNow();
  });

  let scrollSaving = false;
  window.addEventListener(
    'scroll',
    () => {
      if (scrollSaving) return;
      scrollSaving = true;
      requestAnimationFrame(() => {
        scrollSaving = false;
        state.scrollY = window.scrollY;
        save();
      });
    },
    { passive: true },
  );

  // ——— The page's parts, built once ———

  function buildPage() {
    const layout = element('div', 'layout');
    const form = element('form', 'runner-form');
    form.noValidate = true;
    form.setAttribute('aria-label', 'Run a workflow');
    // Enter in a one-line field submits the form: that runs (and never reloads the page).
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      runNow();
    });

    const banner = element('div', 'banner');
    banner.id = 'untrusted';
    banner.setAttribute('role', 'note');
    banner.hidden = true;

    // Workflow and target.
    const workflow = element('select', 'control');
    workflow.id = 'workflow';
    workflow.dataset['focus'] = 'workflow';
    workflow.addEventListener('change', () => {
      if (!workflow.value) return;
      flushEdits();
      post({ type: 'pickWorkflow', value: workflow.value });
    });
    const target = element('select', 'control');
    target.id = 'target';
    target.dataset['focus'] = 'target';
    target.addEventListener('change', () => {
      if (!target.value) return;
      flushEdits();
      post({ type: 'pickTarget', value: target.value });
    });

    // Mode.
    const mode = element('fieldset', 'group mode');
    mode.append(element('legend', undefined, 'Mode'));
    const live = radio('mode-live', 'live', 'Live');
    const scripted = radio('mode-scripted', 'scripted', 'Scripted (fixtures)');
    const radios = element('div', 'radios');
    radios.append(live.line, scripted.line);
    live.input.addEventListener('change', () => {
      if (live.input.checked) post({ type: 'pickMode', value: 'live' });
    });
    scripted.input.addEventListener('change', () => {
      if (scripted.input.checked) post({ type: 'pickMode', value: 'scripted' });
    });
    const fixtures = element('div', 'fixtures');
    fixtures.id = 'fixtures';
    const fixturesText = element('span', 'fixtures-file');
    fixturesText.id = 'fixtures-file';
    const chooseFixtures = button('Choose Fixtures…', 'secondary', () =>
      post({ type: 'chooseFixtures' }),
    );
    chooseFixtures.id = 'choose-fixtures';
    chooseFixtures.dataset['focus'] = 'choose-fixtures';
    chooseFixtures.setAttribute('aria-describedby', 'fixtures-file');
    fixtures.append(fixturesText, chooseFixtures);
    mode.append(radios, fixtures);

    // Recent inputs.
    const recent = element('select', 'control');
    recent.id = 'recent';
    recent.dataset['focus'] = 'recent';
    recent.addEventListener('change', () => {
      const run = recent.value;
      // Back to the placeholder: the list is an action, not a setting.
      recent.selectedIndex = 0;
      if (!run) return;
      flushEdits();
      post({ type: 'useRecent', run });
    });
    const recentRow = row('recent', 'Recent inputs', recent, 'row recent-row');
    recentRow.querySelector('label')?.classList.add('visually-hidden');

    // Inputs.
    const inputs = element('fieldset', 'group inputs');
    inputs.append(element('legend', undefined, 'Inputs'));
    const fieldList = element('div', 'fields');
    const noInputs = element('p', 'muted no-inputs', 'This workflow takes no inputs.');
    inputs.append(fieldList, noInputs);

    const formError = element('div', 'error form-error');
    formError.id = 'form-error';
    formError.setAttribute('role', 'alert');
    formError.hidden = true;

    // Buttons.
    const actions = element('div', 'actions');
    const run = element('button', 'primary', 'Run');
    run.type = 'submit';
    run.id = 'run';
    run.dataset['focus'] = 'run';
    const cancel = button('Cancel', 'secondary', () => post({ type: 'cancel' }));
    cancel.id = 'cancel';
    cancel.dataset['focus'] = 'cancel';
    run.setAttribute('aria-keyshortcuts', 'Control+Enter Meta+Enter');
    actions.append(run, cancel);
    const reason = element('p', 'muted run-reason');
    reason.id = 'run-reason';
    reason.hidden = true;

    // The notice: what stopped the last Run.
    const notice = element('div', 'notice');
    notice.id = 'notice';
    notice.hidden = true;
    const noticeText = element('span', 'notice-text');
    const noticeAction = button('', 'secondary', () => post({ type: 'noticeAction' }));
    noticeAction.id = 'notice-action';
    noticeAction.dataset['focus'] = 'notice-action';
    notice.append(noticeText, noticeAction);

    form.append(
      banner,
      row('workflow', 'Workflow', workflow),
      row('target', 'Target', target),
      mode,
      recentRow,
      inputs,
      formError,
      actions,
      reason,
      notice,
    );

    // The run.
    const runSection = element('section', 'run');
    runSection.id = 'run-section';
    runSection.setAttribute('aria-labelledby', 'run-heading');
    runSection.hidden = true;
    const heading = element('h2', 'run-heading');
    heading.id = 'run-heading';
    const runSymbol = symbolElement('');
    const runTitle = element('span', 'run-title');
    const runStatus = element('span', 'visually-hidden');
    heading.append(runSymbol, runTitle, runStatus);
    const steps = element('ol', 'steps');
    steps.setAttribute('aria-label', 'Steps');
    const noSteps = element('p', 'muted no-steps', 'No step has started yet.');
    const result = element('p', 'result');
    result.id = 'run-result';
    const resultSymbol = symbolElement('');
    const resultText = element('span', 'result-text');
    result.append(resultSymbol, resultText);
    const openDetails = button('Open Details', 'secondary', () => post({ type: 'openDetails' }));
    openDetails.id = 'open-details';
    openDetails.dataset['focus'] = 'open-details';
    const replay = button('Replay…', 'secondary', () => post({ type: 'replay' }));
    replay.id = 'replay';
    replay.dataset['focus'] = 'replay';
    replay.title = 'Replay exactly, against the working copy, or against a version';
    const runActions = element('div', 'actions');
    runActions.append(openDetails, replay);
    runSection.append(heading, steps, noSteps, result, runActions);

    layout.append(form, runSection);
    return {
      layout,
      banner,
      workflow,
      target,
      live: live.input,
      scripted: scripted.input,
      fixtures,
      fixturesText,
      chooseFixtures,
      recent,
      recentRow,
      fieldList,
      noInputs,
      formError,
      run,
      cancel,
      reason,
      notice,
      noticeText,
      noticeAction,
      runSection,
      runSymbol,
      runTitle,
      runStatus,
      steps,
      noSteps,
      result,
      resultSymbol,
      resultText,
      openDetails,
      replay,
    };
  }

  // ——— Rendering ———

  /** @param {any} next */
  function render(next) {
    const active = document.activeElement;
    const activeKey = active instanceof HTMLElement ? active.dataset['focus'] : undefined;
    const selection = selectionOf(active);
    view = next;

    renderChoices(next);
    renderFields(Array.isArray(next.fields) ? next.fields : []);
    renderButtons(next);
    renderNotice(next.notice);
    renderRun(next.run);

    if (!rendered) {
      app.replaceChildren(ui.layout);
      app.removeAttribute('aria-busy');
      window.scrollTo(0, state.scrollY);
    }
    announce(next.run);
    if (activeKey) keepFocus(activeKey, selection);
    rendered = true;
    if (pendingFocus) {
      const request = pendingFocus;
      pendingFocus = undefined;
      focusRequested(request);
    }
    save();
  }

  /** @param {any} next */
  function renderChoices(next) {
    ui.banner.hidden = next.trusted !== false;
    setText(
      ui.banner,
      next.trusted === false
        ? (next.runDisabledReason ?? 'Runs are disabled in Restricted Mode.')
        : '',
    );

    // Workflow: a placeholder when there is none to choose, or none chosen yet.
    const workflows = Array.isArray(next.workflows) ? [...next.workflows] : [];
    const chosen = next.workflow;
    if (chosen !== undefined && !workflows.some((/** @type {any} */ w) => w.value === chosen)) {
      // Chosen, but not (or no longer) listed: shown as it is rather than as another file.
      workflows.unshift({ value: chosen, label: String(chosen) });
    }
    /** @type {{ value: string; label: string; disabled?: boolean }[]} */
    const workflowOptions =
      workflows.length === 0
        ? [{ value: '', label: 'No workflow files', disabled: true }]
        : [
            ...(next.workflow === undefined
              ? [{ value: '', label: 'Choose a workflow…', disabled: true }]
              : []),
            ...workflows,
          ];
    setOptions(ui.workflow, [{ options: workflowOptions }]);
    selectValue(ui.workflow, next.workflow ?? '');

    const groups = Array.isArray(next.targetGroups) ? next.targetGroups : [];
    const hasTargets = groups.some((/** @type {any} */ g) => g.options.length > 0);
    setOptions(
      ui.target,
      hasTargets ? groups : [{ options: [{ value: '', label: 'No targets', disabled: true }] }],
    );
    selectValue(ui.target, hasTargets ? next.target : '');

    const scripted = next.mode === 'scripted';
    if (ui.live.checked === scripted) ui.live.checked = !scripted;
    if (ui.scripted.checked !== scripted) ui.scripted.checked = scripted;
    ui.fixtures.hidden = !scripted;
    setText(ui.fixturesText, next.fixtures ? `Fixtures: ${next.fixtures}` : 'No fixtures file');
    ui.fixturesText.classList.toggle('missing', !next.fixtures);

    const recent = Array.isArray(next.recent) ? next.recent : [];
    ui.recentRow.hidden = recent.length === 0;
    setOptions(ui.recent, [{ options: [{ value: '', label: 'Recent inputs…' }, ...recent] }]);
    if (ui.recent.selectedIndex !== 0) ui.recent.selectedIndex = 0;
  }

  /** @param {any[]} rows */
  function renderFields(rows) {
    const seen = new Set();
    /** @type {HTMLElement[]} */
    const wraps = [];
    for (const row of rows) {
      if (!row || typeof row.name !== 'string' || seen.has(row.name)) continue;
      seen.add(row.name);
      const signature = JSON.stringify([row.kind, row.options ?? null]);
      let entry = fields.get(row.name);
      if (!entry || entry.signature !== signature) {
        entry = createField(row, signature);
        fields.set(row.name, entry);
      }
      updateField(entry, row);
      wraps.push(entry.wrap);
    }
    for (const name of [...fields.keys()]) {
      if (seen.has(name)) continue;
      fields.delete(name);
      typed.delete(name);
      clearTimeout(timers.get(name));
      timers.delete(name);
    }
    setChildren(ui.fieldList, wraps);
    ui.noInputs.hidden = wraps.length > 0;

    ui.formError.hidden = !view.formError;
    // Emptied when hidden, so the same error shown again is said again.
    setText(ui.formError, view.formError ?? '');
  }

  /**
   * @param {any} row
   * @param {string} signature
   * @returns {FieldEntry}
   */
  function createField(row, signature) {
    const name = String(row.name);
    const id = `field-${name}`;
    const wrap = element('div', `field kind-${row.kind}`);
    wrap.dataset['field'] = name;
    const label = element('label', 'field-label');
    label.htmlFor = id;
    const marker = element('span', 'required-marker', ' *');
    marker.setAttribute('aria-hidden', 'true');
    label.append(element('span', 'field-name', name), marker);

    /** @type {Control} */
    let control;
    if (row.kind === 'boolean') {
      const box = element('input');
      box.type = 'checkbox';
      box.addEventListener('change', () => changed(name, box.checked ? 'true' : 'false'));
      control = box;
    } else if (row.kind === 'select') {
      const list = element('select', 'control');
      list.addEventListener('change', () => changed(name, list.value));
      control = list;
    } else if (row.kind === 'json') {
      const area = element('textarea', 'control mono');
      area.rows = 3;
      area.spellcheck = false;
      area.setAttribute('autocapitalize', 'off');
      area.setAttribute('autocomplete', 'off');
      typing(area, name);
      control = area;
    } else {
      const input = element('input', 'control');
      input.type = 'text';
      input.autocomplete = 'off';
      if (row.kind === 'number' || row.kind === 'integer') {
        input.inputMode = row.kind === 'integer' ? 'numeric' : 'decimal';
        input.spellcheck = false;
        input.classList.add('mono');
      }
      typing(input, name);
      control = input;
    }
    control.id = id;
    control.name = name;
    control.dataset['focus'] = `field:${name}`;

    const hint = element('div', 'hint muted');
    hint.id = `hint-${name}`;
    const error = element('div', 'field-error');
    error.id = `error-${name}`;
    if (row.kind === 'boolean') {
      const line = element('div', 'check');
      line.append(control, label);
      wrap.append(line, hint, error);
    } else {
      wrap.append(label, control, hint, error);
    }
    return { name, kind: String(row.kind), signature, wrap, marker, control, hint, error };
  }

  /**
   * @param {FieldEntry} entry
   * @param {any} row
   */
  function updateField(entry, row) {
    const { control, name } = entry;
    entry.marker.hidden = !row.required;
    if (entry.kind !== 'boolean')
      setAttr(control, 'aria-required', row.required ? 'true' : undefined);
    if (control instanceof HTMLSelectElement) {
      setOptions(control, [
        {
          options: (Array.isArray(row.options) ? row.options : []).map(
            (/** @type {{ value: string; label: string }} */ o) =>
              // The empty choice says what empty means (`default: "en"`, `optional`).
              o.value === '' && !o.label && row.placeholder
                ? { value: '', label: row.placeholder }
                : o,
          ),
        },
      ]);
    } else if (!(control instanceof HTMLInputElement && control.type === 'checkbox')) {
      setAttr(control, 'placeholder', row.placeholder || undefined);
    }

    const text = typeof row.text === 'string' ? row.text : '';
    // The extension has the user's text: the view is the truth again.
    if (typed.get(name) === text) typed.delete(name);
    if (!typed.has(name)) setControlText(entry, text);

    const hint = [row.help, row.typeLabel].filter(Boolean).join(' · ');
    setText(entry.hint, hint);
    entry.hint.hidden = !hint;
    const error = typeof row.error === 'string' ? row.error : '';
    setText(entry.error, error);
    entry.error.hidden = !error;
    setAttr(control, 'aria-invalid', error ? 'true' : undefined);
    entry.wrap.classList.toggle('invalid', Boolean(error));
    const describedBy = [hint ? entry.hint.id : '', error ? entry.error.id : '']
      .filter(Boolean)
      .join(' ');
    setAttr(control, 'aria-describedby', describedBy || undefined);
  }

  /**
   * Shows `text` in a field, keeping the caret where it was when the field has the focus.
   * @param {FieldEntry} entry
   * @param {string} text
   */
  function setControlText(entry, text) {
    const control = entry.control;
    if (control instanceof HTMLInputElement && control.type === 'checkbox') {
      const checked = text === 'true';
      if (control.checked !== checked) control.checked = checked;
      return;
    }
    if (control instanceof HTMLSelectElement) {
      // A value that is none of the options (an old run's input) still shows, with its error.
      const known = Array.from(control.options).some(
        (o) => o.value === text && !o.dataset['extra'],
      );
      const extra = Array.from(control.options).find((o) => o.dataset['extra']);
      if (known) extra?.remove();
      else if (!extra || extra.value !== text) {
        extra?.remove();
        const option = element('option', undefined, text === '' ? '' : `${text} (not an option)`);
        option.value = text;
        option.dataset['extra'] = 'true';
        control.append(option);
      }
      selectValue(control, text);
      return;
    }
    if (control.value === text) return;
    const focused = document.activeElement === control;
    const start = control.selectionStart ?? text.length;
    const end = control.selectionEnd ?? text.length;
    control.value = text;
    if (focused)
      control.setSelectionRange(Math.min(start, text.length), Math.min(end, text.length));
  }

  /** @param {any} next */
  function renderButtons(next) {
    const canRun = next.canRun === true;
    ui.run.disabled = !canRun;
    ui.run.title = canRun ? `Run (${SHORTCUT})` : (next.runDisabledReason ?? '');
    // Why Run is disabled, said once: an untrusted workspace's banner says it already.
    const reason = !canRun && next.trusted !== false ? (next.runDisabledReason ?? '') : '';
    setText(ui.reason, reason);
    ui.reason.hidden = !reason;
    setAttr(ui.run, 'aria-describedby', reason ? ui.reason.id : undefined);
    const canCancel = next.run?.canCancel === true;
    ui.cancel.hidden = !canCancel;
    ui.cancel.disabled = !canCancel;
  }

  /** @param {any} notice */
  function renderNotice(notice) {
    ui.notice.hidden = !notice;
    if (!notice) {
      setText(ui.noticeText, '');
      ui.notice.removeAttribute('role');
      return;
    }
    const kind = notice.kind === 'error' ? 'error' : 'info';
    const role = kind === 'error' ? 'alert' : 'status';
    if (ui.notice.getAttribute('role') !== role) {
      // A new live region is read when its text arrives: set the role first, then the text.
      setText(ui.noticeText, '');
      ui.notice.setAttribute('role', role);
    }
    ui.notice.className = `notice notice-${kind}`;
    setText(ui.noticeText, String(notice.text ?? ''));
    ui.noticeAction.hidden = !notice.action;
    setText(ui.noticeAction, notice.action ?? '');
  }

  /** @param {any} run */
  function renderRun(run) {
    ui.runSection.hidden = !run;
    if (!run) {
      stepRows.clear();
      setChildren(ui.steps, []);
      return;
    }
    ui.runSection.className = `run status-${run.status}`;
    setText(ui.runSymbol, run.symbol ?? '');
    setText(ui.runTitle, run.title ?? '');
    setText(ui.runStatus, `, ${run.status}`);

    const steps = Array.isArray(run.steps) ? run.steps : [];
    const seen = new Set();
    /** @type {HTMLLIElement[]} */
    const items = [];
    for (const step of steps) {
      if (seen.has(step.path)) continue;
      seen.add(step.path);
      let entry = stepRows.get(step.path);
      if (!entry) {
        entry = createStep();
        stepRows.set(step.path, entry);
      }
      updateStep(entry, step);
      items.push(entry.item);
    }
    for (const path of [...stepRows.keys()]) if (!seen.has(path)) stepRows.delete(path);
    setChildren(ui.steps, items);
    ui.steps.hidden = items.length === 0;
    ui.noSteps.hidden =
      items.length > 0 || !(run.status === 'starting' || run.status === 'running');

    const result = typeof run.result === 'string' ? run.result : '';
    ui.result.hidden = !result;
    ui.result.className = `result result-${run.status}`;
    // The line starts with the status symbol: coloured, and not read (the words say it).
    const symbol = run.symbol && result.startsWith(`${run.symbol} `) ? run.symbol : '';
    setText(ui.resultSymbol, symbol);
    ui.resultSymbol.hidden = !symbol;
    setText(ui.resultText, symbol ? result.slice(symbol.length + 1) : result);

    ui.openDetails.hidden = run.canOpenDetails !== true;
    ui.replay.hidden = run.canReplay !== true;
  }

  /** @returns {StepEntry} */
  function createStep() {
    const item = element('li', 'step');
    const line = element('div', 'step-line');
    const symbol = symbolElement('');
    const path = element('span', 'path');
    const elapsed = element('span', 'elapsed');
    const tokens = element('span', 'tokens muted');
    line.append(symbol, path, elapsed, tokens);
    const error = element('div', 'step-error');
    item.append(line, error);
    return { item, symbol, path, elapsed, tokens, error };
  }

  /**
   * @param {StepEntry} entry
   * @param {any} step
   */
  function updateStep(entry, step) {
    const className = `step status-${step.status}`;
    if (entry.item.className !== className) entry.item.className = className;
    setText(entry.symbol, step.symbol ?? '');
    setText(entry.path, step.path);
    setText(entry.elapsed, step.elapsed ?? '');
    setText(entry.tokens, step.tokens ?? '');
    entry.tokens.hidden = !step.tokens;
    setText(entry.error, step.error ?? '');
    entry.error.hidden = !step.error;
    const label = [step.statusText, step.elapsed, step.tokens, step.error]
      .filter(Boolean)
      .join(', ');
    setAttr(entry.item, 'aria-label', label);
  }

  /**
   * Says the run's progress in the live region, once per change. A finished run shown when the
   * page first opens is not said (the page shows it).
   * @param {any} run
   */
  function announce(run) {
    if (!run || typeof run.announcement !== 'string') return;
    const text = run.announcement;
    if (text === state.announced) return;
    const finished = run.status !== 'starting' && run.status !== 'running';
    const quiet = !rendered && state.announced === undefined && finished;
    state.announced = text;
    if (!quiet) announcer.textContent = text;
  }

  // ——— Focus ———

  /**
   * Keeps the focus where it was after a render: the same control, or where FOCUS_FALLBACK says
   * when it went away (Run is disabled while the run goes).
   * @param {string} key
   * @param {{ start: number; end: number; direction: 'forward' | 'backward' | 'none' } | undefined} selection
   */
  function keepFocus(key, selection) {
    const same = findByFocusKey(key);
    if (same && usable(same)) {
      if (document.activeElement === same) return;
      same.focus({ preventScroll: true });
      if (!selection) return;
      if (same instanceof HTMLInputElement || same instanceof HTMLTextAreaElement) {
        const length = same.value.length;
        same.setSelectionRange(
          Math.min(selection.start, length),
          Math.min(selection.end, length),
          selection.direction,
        );
      }
      return;
    }
    for (const fallback of FOCUS_FALLBACK[key] ?? []) {
      const other = findByFocusKey(fallback);
      if (other && usable(other)) {
        other.focus({ preventScroll: true });
        return;
      }
    }
  }

  /**
   * The extension's `focus`: a field (the first with an error), or Run.
   * @param {{ field?: string }} request
   */
  function focusRequested(request) {
    const field = request.field === undefined ? undefined : fields.get(request.field);
    /** @type {HTMLElement[]} */
    const candidates = field
      ? [field.control]
      : [ui.run, ...Array.from(fields.values(), (f) => f.control), ui.workflow];
    const target = candidates.find(usable);
    if (!target) return;
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: 'nearest' });
  }

  /** @param {HTMLElement} node */
  function usable(node) {
    if (!node.isConnected || node.closest('[hidden]')) return false;
    return !('disabled' in node && node.disabled === true);
  }

  /**
   * @param {Element | null} node
   * @returns {{ start: number; end: number; direction: 'forward' | 'backward' | 'none' } | undefined}
   */
  function selectionOf(node) {
    if (!(node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement))
      return undefined;
    if (node.selectionStart === null || node.selectionEnd === null) return undefined;
    return {
      start: node.selectionStart,
      end: node.selectionEnd,
      direction: node.selectionDirection ?? 'none',
    };
  }

  /** @param {string} key */
  function findByFocusKey(key) {
    const found = Array.from(app.querySelectorAll('[data-focus]')).find(
      (node) => node instanceof HTMLElement && node.dataset['focus'] === key,
    );
    return found instanceof HTMLElement ? found : undefined;
  }

  // ——— Editing and running ———

  /**
   * Sends a text field's text once typing pauses (and when it loses the focus).
   * @param {HTMLInputElement | HTMLTextAreaElement} control
   * @param {string} name
   */
  function typing(control, name) {
    control.addEventListener('input', () => {
      typed.set(name, control.value);
      clearTimeout(timers.get(name));
      timers.set(
        name,
        setTimeout(() => flush(name), DEBOUNCE_MS),
      );
    });
    control.addEventListener('blur', () => flush(name));
  }

  /**
   * A checkbox or select changed: sent at once.
   * @param {string} name
   * @param {string} text
   */
  function changed(name, text) {
    typed.set(name, text);
    clearTimeout(timers.get(name));
    timers.delete(name);
    post({ type: 'edit', field: name, text });
  }

  /**
   * Sends a field's typing now, if some is waiting.
   * @param {string} name
   */
  function flush(name) {
    const timer = timers.get(name);
    if (timer === undefined) return;
    clearTimeout(timer);
    timers.delete(name);
    const entry = fields.get(name);
    if (entry) post({ type: 'edit', field: name, text: textOf(entry) });
  }

  function flushEdits() {
    for (const name of [...timers.keys()]) flush(name);
  }

  /** Runs with the form as it is now (typing not sent yet included). */
  function runNow() {
    if (!view || view.canRun !== true) return;
    flushEdits();
    /** @type {Record<string, string>} */
    const texts = {};
    for (const [name, entry] of fields) texts[name] = textOf(entry);
    post({ type: 'run', texts });
  }

  /** @param {FieldEntry} entry */
  function textOf(entry) {
    const control = entry.control;
    if (control instanceof HTMLInputElement && control.type === 'checkbox') {
      return control.checked ? 'true' : 'false';
    }
    return control.value;
  }

  // ——— DOM helpers ———

  /**
   * A select's options (in groups when labelled), rebuilt only when they changed.
   * @param {HTMLSelectElement} select
   * @param {{ label?: string; options: { value: string; label: string; disabled?: boolean }[] }[]} groups
   */
  function setOptions(select, groups) {
    const signature = JSON.stringify(groups.map((g) => [g.label ?? null, g.options]));
    if (select.dataset['options'] === signature) return;
    const value = select.value;
    select.dataset['options'] = signature;
    /** @type {(HTMLOptionElement | HTMLOptGroupElement)[]} */
    const children = [];
    for (const group of groups) {
      const options = group.options.map((o) => {
        const option = element('option', undefined, String(o.label));
        option.value = String(o.value);
        if (o.disabled) option.disabled = true;
        return option;
      });
      if (group.label === undefined) {
        children.push(...options);
      } else {
        const optgroup = element('optgroup');
        optgroup.label = String(group.label);
        optgroup.append(...options);
        children.push(optgroup);
      }
    }
    select.replaceChildren(...children);
    selectValue(select, value);
  }

  /**
   * @param {HTMLSelectElement} select
   * @param {string} value
   */
  function selectValue(select, value) {
    if (select.value === value && select.selectedIndex !== -1) return;
    const index = Array.from(select.options).findIndex((o) => o.value === value);
    select.selectedIndex = index === -1 ? 0 : index;
  }

  /**
   * A labelled row: the label above its control.
   * @param {string} id
   * @param {string} text
   * @param {HTMLElement} control
   * @param {string} [className]
   */
  function row(id, text, control, className = 'row') {
    const wrap = element('div', className);
    const label = element('label', 'row-label', text);
    label.htmlFor = id;
    wrap.append(label, control);
    return wrap;
  }

  /**
   * @param {string} id
   * @param {string} value
   * @param {string} text
   */
  function radio(id, value, text) {
    const input = element('input');
    input.type = 'radio';
    input.name = 'mode';
    input.id = id;
    input.value = value;
    input.dataset['focus'] = id;
    const label = element('label', undefined, text);
    label.htmlFor = id;
    const line = element('div', 'check');
    line.append(input, label);
    return { input, line };
  }

  /**
   * Replaces a parent's children only when they differ (moving a node would drop its focus).
   * @param {HTMLElement} parent
   * @param {HTMLElement[]} children
   */
  function setChildren(parent, children) {
    const current = parent.children;
    if (current.length === children.length && children.every((child, i) => current[i] === child)) {
      return;
    }
    parent.replaceChildren(...children);
  }

  /**
   * @param {HTMLElement} node
   * @param {string} text
   */
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  /**
   * @param {HTMLElement} node
   * @param {string} name
   * @param {string | undefined} value
   */
  function setAttr(node, name, value) {
    if (value === undefined) node.removeAttribute(name);
    else if (node.getAttribute(name) !== value) node.setAttribute(name, value);
  }

  /**
   * A status symbol, hidden from screen readers (the words are said instead).
   * @param {string} text
   */
  function symbolElement(text) {
    const symbol = element('span', 'symbol', text);
    symbol.setAttribute('aria-hidden', 'true');
    return symbol;
  }

  /** @param {unknown} message */
  function post(message) {
    vscode.postMessage(message);
  }

  function save() {
    vscode.setState(state);
  }

  /**
   * @param {unknown} saved
   * @returns {{ scrollY: number; announced?: string }}
   */
  function restoredState(saved) {
    const s = /** @type {Record<string, unknown>} */ (
      saved && typeof saved === 'object' ? saved : {}
    );
    return {
      scrollY: typeof s['scrollY'] === 'number' ? s['scrollY'] : 0,
      ...(typeof s['announced'] === 'string' ? { announced: s['announced'] } : {}),
    };
  }

  post({ type: 'ready' });
})();
