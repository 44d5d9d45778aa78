// @ts-check
/**
 * The run details page (one per run's tab). It renders only what the extension's view model says
 * (client/src/webviews/run-details/view-model.ts), as DOM built with createElement and
 * textContent: recorded values are data, never markup. It keeps the expanded rows and the scroll
 * position with VS Code's webview state (the tab's page is dropped while hidden) and posts the
 * messages of client/src/webviews/run-details/messages.ts.
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

  /**
   * What survives the page: expanded rows (step paths), the scroll position, the rows the view
   * model asked to open that were opened (so a row the user closed stays closed), and the last
   * thing announced (so showing the tab again does not repeat it).
   * @type {{ expanded: string[]; opened: string[]; scrollY: number; announced?: string }}
   */
  const state = restoredState(vscode.getState());
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));
  let rendered = false;
  /** @type {any} */
  let lastView;

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message && message.type === 'render' && message.view) render(message.view);
    if (message && message.type === 'reveal' && typeof message.path === 'string') {
      reveal(message.path);
    }
  });

  /**
   * Opens a step's row, scrolls it into view and focuses it (a step's CodeLens asked for it).
   * @param {string} path
   */
  function reveal(path) {
    if (!lastView) return;
    if (!state.expanded.includes(path)) state.expanded.push(path);
    render(lastView);
    const row = findRow(path);
    if (!row) return;
    row.scrollIntoView({ block: 'start' });
    /** @type {HTMLElement | null} */ (row.querySelector('.toggle'))?.focus({
      preventScroll: true,
    });
  }

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

  /** @param {any} view */
  function render(view) {
    lastView = view;
    const active = document.activeElement;
    const focusKey = active instanceof HTMLElement ? active.dataset['focus'] : undefined;
    const scrollY = rendered ? window.scrollY : state.scrollY;

    let reveal;
    for (const row of view.steps) {
      if (!row.expanded || state.opened.includes(row.path)) continue;
      state.opened.push(row.path);
      if (!state.expanded.includes(row.path)) state.expanded.push(row.path);
      reveal = reveal ?? row.path;
    }
    const failed = view.firstFailed === undefined ? undefined : view.steps[view.firstFailed];
    if (!failed || failed.path !== reveal) reveal = undefined;

    const parts = [headerElement(view), toolbarElement(view)];
    if (view.error) parts.push(errorElement(view.error, 'run-error'));
    if (view.input || view.output) parts.push(runValuesElement(view));
    parts.push(stepsElement(view));
    app.replaceChildren(...parts);
    app.removeAttribute('aria-busy');
    announce(view);

    const refocus = focusKey && findByFocusKey(focusKey);
    if (refocus) refocus.focus({ preventScroll: true });
    const revealed = reveal && findRow(reveal);
    if (revealed) {
      // The failed step, opened and in view (github/vscode-github-actions#139, #304).
      revealed.scrollIntoView({ block: 'start' });
      if (!refocus) revealed.querySelector('.toggle')?.focus({ preventScroll: true });
    } else {
      window.scrollTo(0, scrollY);
    }
    rendered = true;
    save();
  }

  /**
   * Says progress in the live region; opening a finished run says nothing (the page does).
   * @param {any} view
   */
  function announce(view) {
    if (!rendered && !view.running && state.announced === undefined) {
      state.announced = view.progress;
      return;
    }
    if (view.progress === state.announced) return;
    state.announced = view.progress;
    announcer.textContent = view.progress;
  }

  /** @param {any} view */
  function headerElement(view) {
    const h = view.header;
    const header = element('header', 'run-header');
    const title = element('div', 'title-line');
    const version = button(h.version, 'link version', () => post({ type: 'openVersion' }));
    version.title = `Open ${h.workflow} ${h.version} (read-only)`;
    version.dataset['focus'] = 'version';
    title.append(element('h1', 'workflow', h.workflow), version, statusElement(h.look, h.status));
    const facts = element('dl', 'facts');
    fact(facts, 'Mode', h.mode);
    fact(facts, 'Started', h.started);
    if (h.duration) fact(facts, view.running ? 'Elapsed' : 'Duration', h.duration);
    if (h.tokens) fact(facts, 'Tokens', h.tokens);
    if (h.cost) fact(facts, 'Cost', h.cost);
    if (h.channel) fact(facts, 'Channel', h.channel);
    header.append(title, facts);
    return header;
  }

  /** @param {any} view */
  function toolbarElement(view) {
    const bar = element('div', 'toolbar');
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', 'Run actions');
    const definition = button('Open Definition at This Version', 'primary', () =>
      post({ type: 'openDefinition' }),
    );
    definition.dataset['focus'] = 'definition';
    const copy = button('Copy Run Id', 'secondary', () => post({ type: 'copyRunId' }));
    copy.title = view.runId;
    copy.dataset['focus'] = 'copy';
    bar.append(definition, copy);
    if (view.canReplay) {
      const replay = button('Replay…', 'secondary', () => post({ type: 'replay' }));
      replay.title = 'Replay exactly, against the working copy, or against a version';
      replay.dataset['focus'] = 'replay';
      bar.append(replay);
    }
    if (view.canAddBaseline) {
      const keep = button('Add to Baselines', 'secondary', () => post({ type: 'addBaseline' }));
      keep.title = 'Keep this run as a regression baseline of its workflow';
      keep.dataset['focus'] = 'add-baseline';
      bar.append(keep);
    }
    return bar;
  }

  /**
   * The run's input and, once it finished with one, its output.
   * @param {any} view
   */
  function runValuesElement(view) {
    const values = element('div', 'run-values');
    if (view.input) {
      const input = section('Input', valueElement(view.input, 'Input of the run'));
      input.id = 'run-input';
      values.append(input);
    }
    if (view.output) {
      const output = section('Output', valueElement(view.output, 'Output of the run'));
      output.id = 'run-output';
      values.append(output);
    }
    return values;
  }

  /** @param {any} view */
  function stepsElement(view) {
    const main = element('main', 'steps-area');
    const heading = element('h2', 'steps-heading', 'Steps');
    heading.id = 'steps-heading';
    main.append(heading);
    if (view.steps.length === 0) {
      main.append(element('p', 'muted', view.running ? 'No step has started yet.' : 'No steps.'));
      return main;
    }
    const list = element('ul', 'steps');
    list.setAttribute('role', 'list');
    list.setAttribute('aria-labelledby', 'steps-heading');
    view.steps.forEach((/** @type {any} */ row, /** @type {number} */ index) =>
      list.append(stepElement(row, index)),
    );
    list.addEventListener('keydown', (event) => moveBetweenRows(list, event));
    main.append(list);
    return main;
  }

  /**
   * @param {any} row
   * @param {number} index
   */
  function stepElement(row, index) {
    const open = state.expanded.includes(row.path);
    const item = element('li', `step status-${row.status}`);
    item.dataset['path'] = row.path;
    const line = element('div', 'row');

    const toggle = element('button', 'toggle');
    toggle.type = 'button';
    toggle.dataset['focus'] = `toggle:${row.path}`;
    toggle.setAttribute('aria-controls', `step-details-${index}`);
    toggle.setAttribute(
      'aria-label',
      `Step ${row.path}, ${row.look.text}${row.duration ? `, ${row.duration}` : ''}`,
    );
    toggle.append(element('span', 'chevron'), symbolElement(row.look));

    const id = button(row.step, 'link step-id', () =>
      post({ type: 'openDefinition', step: row.step }),
    );
    id.title = `Go to step ${row.step} in the definition at this version`;
    id.dataset['focus'] = `step:${row.path}`;
    const label = element('span', 'label');
    label.append(id);
    if (row.path !== row.step) label.append(element('span', 'path muted', row.path));
    if (row.kind) label.append(element('span', 'kind', row.kind));
    if (row.attempts) label.append(element('span', 'badge', `${row.attempts} attempts`));
    if (row.provenance) label.append(element('span', 'badge', row.provenance));
    line.append(toggle, label);

    const track = element('span', 'track');
    track.setAttribute('aria-hidden', 'true');
    const fill = element('span', 'fill');
    // CSSOM, not a style attribute: the CSP allows no inline styles.
    fill.style.marginLeft = `${row.bar.offsetPct}%`;
    fill.style.width = `${row.bar.widthPct}%`;
    track.append(fill);
    // Every row has every cell, so the bars line up in one column (the CSS grid's).
    line.append(
      track,
      element('span', 'duration', row.duration),
      element('span', 'tokens muted', row.tokens ?? ''),
    );

    const details = element('div', 'details');
    details.id = `step-details-${index}`;
    line.addEventListener('click', (event) => {
      // The step id and other buttons do their own thing; anywhere else on the row toggles.
      const target = event.target instanceof Element ? event.target : null;
      if (target?.closest('button') && !target.closest('.toggle')) return;
      setOpen(item, toggle, details, row, !state.expanded.includes(row.path));
      if (!target?.closest('.toggle')) toggle.focus();
    });
    setOpen(item, toggle, details, row, open);
    item.append(line, details);
    return item;
  }

  /**
   * Opens or closes a row in place (so focus and the rest of the page stay where they are).
   * @param {HTMLElement} item
   * @param {HTMLButtonElement} toggle
   * @param {HTMLElement} details
   * @param {any} row
   * @param {boolean} open
   */
  function setOpen(item, toggle, details, row, open) {
    toggle.setAttribute('aria-expanded', String(open));
    item.classList.toggle('open', open);
    details.hidden = !open;
    // Built on first opening: a long run's closed rows cost nothing.
    if (open && details.childElementCount === 0) details.append(...detailsContent(row));
    const known = state.expanded.includes(row.path);
    if (open === known) return;
    if (open) state.expanded.push(row.path);
    else state.expanded = state.expanded.filter((path) => path !== row.path);
    save();
  }

  /** @param {any} row */
  function detailsContent(row) {
    const parts = [];
    if (row.error) parts.push(errorElement(row.error, 'step-error'));
    parts.push(
      section('Input', row.input ? valueElement(row.input, `Input of ${row.path}`) : none('None')),
      section(
        'Output',
        row.output ? valueElement(row.output, `Output of ${row.path}`) : none('None'),
      ),
    );
    if (row.effects.length === 0) {
      parts.push(section('Effects', none('None')));
    } else {
      const list = element('ol', 'effects');
      row.effects.forEach((/** @type {any} */ effect, /** @type {number} */ index) =>
        list.append(effectElement(effect, `${row.path}, effect ${index + 1}`)),
      );
      parts.push(section('Effects', list));
    }
    return parts;
  }

  /**
   * @param {any} effect
   * @param {string} label
   */
  function effectElement(effect, label) {
    const item = element('li', 'effect');
    const head = element('div', 'effect-head');
    head.title = effect.key;
    head.append(element('span', 'kind', effect.kind), element('span', 'latency', effect.latency));
    if (effect.tokens) head.append(element('span', 'muted', effect.tokens));
    if (effect.served) head.append(element('span', 'badge', `served: ${effect.served}`));
    item.append(head, element('div', 'value-label', 'Request'));
    item.append(
      effect.request ? valueElement(effect.request, `Request of ${label}`) : none('None'),
    );
    if (effect.response) {
      item.append(
        element('div', 'value-label', 'Response'),
        valueElement(effect.response, `Response of ${label}`),
      );
    }
    if (effect.error) {
      item.append(
        element('div', 'value-label', 'Error'),
        errorElement(effect.error, 'effect-error'),
      );
    }
    if (!effect.response && !effect.error) {
      item.append(element('div', 'value-label', 'Response'), none('None'));
    }
    return item;
  }

  /**
   * A value's preview; a large one says it is cut and opens whole as a document.
   * @param {any} value
   * @param {string} label
   */
  function valueElement(value, label) {
    const wrap = element('div', 'value');
    const pre = element('pre', 'json', value.text);
    pre.tabIndex = 0;
    pre.setAttribute('aria-label', label);
    wrap.append(pre);
    if (value.large) {
      const note = element('p', 'cut-note muted', 'Only the start of this value is shown. ');
      const open = button('Open as Document', 'secondary', () =>
        post({ type: 'openValue', ...value.open }),
      );
      open.dataset['focus'] = `open:${JSON.stringify(value.open)}`;
      note.append(open);
      wrap.append(note);
    }
    return wrap;
  }

  /**
   * @param {string} title
   * @param {HTMLElement} content
   */
  function section(title, content) {
    const part = element('section', 'section');
    part.append(element('h3', undefined, title), content);
    return part;
  }

  /**
   * @param {{ code: string; message: string }} error
   * @param {string} className
   */
  function errorElement(error, className) {
    const box = element('div', `error ${className}`);
    const symbol = element('span', 'symbol', '✗');
    symbol.setAttribute('aria-hidden', 'true');
    box.append(symbol, element('span', 'message', error.message));
    box.append(element('code', 'code', error.code));
    return box;
  }

  /**
   * @param {{ symbol: string; text: string }} look
   * @param {string} status
   */
  function statusElement(look, status) {
    const span = element('span', `run-status status-${status}`);
    span.append(symbolElement(look), element('span', undefined, look.text));
    return span;
  }

  /**
   * A status symbol, hidden from screen readers (the words are said instead).
   * @param {{ symbol: string }} look
   */
  function symbolElement(look) {
    const symbol = element('span', 'symbol', look.symbol);
    symbol.setAttribute('aria-hidden', 'true');
    return symbol;
  }

  /**
   * @param {HTMLElement} list
   * @param {string} term
   * @param {string} value
   */
  function fact(list, term, value) {
    const pair = element('div', 'fact');
    pair.append(element('dt', undefined, term), element('dd', undefined, value));
    list.append(pair);
  }

  /**
   * Up/Down (and Home/End) move between the rows' toggles; Enter and Space are the button's.
   * @param {HTMLElement} list
   * @param {KeyboardEvent} event
   */
  function moveBetweenRows(list, event) {
    const target = event.target instanceof HTMLElement ? event.target : null;
    const item = target?.closest('.row') ? target.closest('.step') : null;
    if (!item || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const toggles = /** @type {HTMLButtonElement[]} */ (
      Array.from(list.querySelectorAll(':scope > .step > .row > .toggle'))
    );
    const index = toggles.findIndex((toggle) => item.contains(toggle));
    /** @type {HTMLButtonElement | undefined} */
    let next;
    if (event.key === 'ArrowDown') next = toggles[index + 1];
    else if (event.key === 'ArrowUp') next = toggles[index - 1];
    else if (event.key === 'Home') next = toggles[0];
    else if (event.key === 'End') next = toggles[toggles.length - 1];
    else return;
    event.preventDefault();
    next?.focus();
  }

  /** @param {string} path */
  function findRow(path) {
    return Array.from(app.querySelectorAll('.step')).find(
      (item) => item instanceof HTMLElement && item.dataset['path'] === path,
    );
  }

  /** @param {string} key */
  function findByFocusKey(key) {
    const found = Array.from(app.querySelectorAll('[data-focus]')).find(
      (node) => node instanceof HTMLElement && node.dataset['focus'] === key,
    );
    return found instanceof HTMLElement ? found : undefined;
  }

  /** @param {string} text */
  function none(text) {
    return element('p', 'muted', text);
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
   * @returns {{ expanded: string[]; opened: string[]; scrollY: number; announced?: string }}
   */
  function restoredState(saved) {
    const s = /** @type {Record<string, unknown>} */ (
      saved && typeof saved === 'object' ? saved : {}
    );
    const strings = (/** @type {unknown} */ v) =>
      Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
    return {
      expanded: strings(s['expanded']),
      opened: strings(s['opened']),
      scrollY: typeof s['scrollY'] === 'number' ? s['scrollY'] : 0,
      ...(typeof s['announced'] === 'string' ? { announced: s['announced'] } : {}),
    };
  }

  post({ type: 'ready' });
})();
