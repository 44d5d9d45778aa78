// @ts-check
/**
 * The comparison page (one per pair of runs' tab): a recorded run on the left, its replay (or
 * another run) on the right, step by step. It renders only what the extension's view model says
 * (client/src/webviews/comparison/view-model.ts), as DOM built with createElement and
 * textContent: step paths, values and their diffs are data, never markup. It keeps the "Only
 * changed steps" toggle, the scroll position and the change last moved to with VS Code's webview
 * state (the tab's page is dropped while hidden) and posts the messages of
 * client/src/webviews/comparison/messages.ts. F7 and Shift+F7 move between the changed steps.
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
   * The view model's shapes (client/src/webviews/comparison/view-model.ts), as the page reads them.
   * @typedef {{ kind: 'same' | 'added' | 'removed'; text: string }} DiffPart
   * @typedef {{ inline: true; lines: DiffPart[][] } | { inline: false; summary: string }} ValueChange
   * @typedef {{ status: string; duration?: string; tokens?: number }} StepSide
   * @typedef {{
   *   path: string;
   *   change: string;
   *   changeText: string;
   *   changed: boolean;
   *   provenance?: string;
   *   left?: StepSide;
   *   right?: StepSide;
   *   deltaDuration?: string;
   *   deltaTokens?: string;
   *   verdict?: 'regressed' | 'fixed';
   *   output?: ValueChange;
   *   input?: ValueChange;
   *   firstDivergence: boolean;
   * }} Row
   * @typedef {{ run: string; role: string; version: string; status: string; duration?: string; tokens?: number }} Side
   * @typedef {{
   *   title: string;
   *   left: Side;
   *   right: Side;
   *   counts: { changed: number; added: number; removed: number; unchanged: number; regressed: number; fixed: number };
   *   summary: string;
   *   rows: Row[];
   *   output: { changed: boolean; change?: ValueChange };
   *   versionsDiffer: boolean;
   * }} View
   * @typedef {{ onlyChanged: boolean; scrollY: number; current?: string }} State
   */

  /** Status symbols (the words are said; the symbol is coloured like the Testing view's icons). */
  /** @type {Record<string, string>} */
  const SYMBOLS = {
    succeeded: '✓',
    failed: '✗',
    cancelled: '⊘',
    skipped: '–',
    running: '●',
    interrupted: '⚠',
  };

  /** What each provenance means, for the badge's tooltip. */
  /** @type {Record<string, string>} */
  const PROVENANCE = {
    recorded: 'Answered from the recording',
    live: 'Called live',
    stubbed: 'Answered by a stub',
    missing: 'Not in the recording',
    tainted: 'Depends on a live or missing answer',
  };

  /**
   * What survives the page: the "Only changed steps" toggle (on unless turned off), the scroll
   * position, and the changed step last moved to (so F7 goes on from there).
   * @type {State}
   */
  const state = restoredState(vscode.getState());
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));
  let rendered = false;
  /** @type {View | undefined} */
  let lastView;

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message && message.type === 'render' && message.view && typeof message.view === 'object') {
      render(message.view);
    }
  });

  // F7 / Shift+F7 move to the next / previous changed step, from anywhere in the page (as in
  // VS Code's diff editor).
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'F7' || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    moveToChange(event.shiftKey ? -1 : 1);
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

  /** @param {View} view */
  function render(view) {
    lastView = view;
    const active = document.activeElement;
    const focusKey = active instanceof HTMLElement ? active.dataset['focus'] : undefined;
    const scrollY = rendered ? window.scrollY : state.scrollY;

    const rows = Array.isArray(view.rows) ? view.rows : [];
    if (state.current !== undefined && !rows.some((r) => r.changed && r.path === state.current)) {
      delete state.current;
    }
    app.replaceChildren(
      headerElement(view),
      summaryElement(view),
      toolbarElement(view),
      stepsElement(view, rows),
      outputElement(view),
    );
    app.removeAttribute('aria-busy');
    applyFilter();

    const refocus = focusKey && findByFocusKey(focusKey);
    if (refocus && !refocus.closest('[hidden]')) refocus.focus({ preventScroll: true });
    window.scrollTo(0, scrollY);
    rendered = true;
    save();
  }

  // ——— Header: the title and the two sides ———

  /** @param {View} view */
  function headerElement(view) {
    const header = element('header', 'comparison-header');
    const title = element('h1', 'title', view.title);
    title.id = 'title';
    const sides = element('div', 'sides');
    sides.append(sideElement(view.left, 'left'), sideElement(view.right, 'right'));
    header.append(title, sides);
    return header;
  }

  /**
   * One run's card: what it is (recorded, replay…), its version, status, duration and tokens.
   * @param {Side} side
   * @param {'left' | 'right'} which
   */
  function sideElement(side, which) {
    const card = element('section', `side side-${which} status-${token(side.status)}`);
    card.id = `side-${which}`;
    const role = element('h2', 'side-role', side.role);
    role.id = `side-${which}-role`;
    card.setAttribute('aria-labelledby', role.id);
    const facts = element('dl', 'facts');
    fact(facts, 'Version', side.version);
    const status = element('span', 'run-status');
    status.append(symbolElement(side.status), element('span', undefined, side.status));
    fact(facts, 'Status', status);
    if (side.duration) fact(facts, 'Duration', side.duration);
    if (side.tokens !== undefined) fact(facts, 'Tokens', String(side.tokens));
    const open = button('Open Run', 'link open-run', () => post({ type: 'openRun', side: which }));
    open.id = `open-${which}`;
    open.dataset['focus'] = `open-${which}`;
    open.title = `Open the details of run ${side.run}`;
    open.setAttribute('aria-describedby', role.id);
    card.append(role, facts, open);
    return card;
  }

  // ——— The summary line and its chips ———

  /** @param {View} view */
  function summaryElement(view) {
    const part = element('div', 'summary-area');
    const summary = element('p', 'summary', view.summary);
    summary.id = 'summary';
    const chips = element('ul', 'chips');
    chips.id = 'chips';
    chips.setAttribute('role', 'list');
    chips.setAttribute('aria-label', 'Counts of steps');
    const counts = view.counts;
    /** @type {[keyof View['counts'], boolean][]} */
    const kinds = [
      ['changed', true],
      ['added', true],
      ['removed', true],
      ['unchanged', true],
      ['regressed', counts.regressed > 0],
      ['fixed', counts.fixed > 0],
    ];
    for (const [kind, shown] of kinds) {
      if (!shown) continue;
      const chip = element('li', 'chip', `${counts[kind]} ${kind}`);
      chip.dataset['kind'] = kind;
      if (counts[kind] === 0) chip.classList.add('zero');
      chips.append(chip);
    }
    part.append(summary, chips);
    return part;
  }

  // ——— The toolbar ———

  /** @param {View} view */
  function toolbarElement(view) {
    const bar = element('div', 'toolbar');
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', 'Comparison actions');

    const toggle = element('label', 'check');
    const box = element('input');
    box.type = 'checkbox';
    box.id = 'only-changed';
    box.dataset['focus'] = 'only-changed';
    box.checked = state.onlyChanged;
    box.addEventListener('change', () => {
      state.onlyChanged = box.checked;
      save();
      applyFilter();
    });
    toggle.append(box, element('span', undefined, 'Only changed steps'));
    bar.append(toggle);

    if (view.versionsDiffer) {
      const definitions = button('Compare Definitions', 'secondary', () =>
        post({ type: 'openDefinitionDiff' }),
      );
      definitions.id = 'definition-diff';
      definitions.dataset['focus'] = 'definition-diff';
      definitions.title = `Open the diff of ${view.left.version} and ${view.right.version}`;
      bar.append(definitions);
    }

    const previous = button('Previous Change', 'secondary', () => moveToChange(-1));
    previous.id = 'prev-change';
    previous.dataset['focus'] = 'prev-change';
    previous.title = 'Previous Change (Shift+F7)';
    previous.setAttribute('aria-keyshortcuts', 'Shift+F7');
    const next = button('Next Change', 'secondary', () => moveToChange(1));
    next.id = 'next-change';
    next.dataset['focus'] = 'next-change';
    next.title = 'Next Change (F7)';
    next.setAttribute('aria-keyshortcuts', 'F7');
    bar.append(previous, next);
    return bar;
  }

  // ——— The steps ———

  /**
   * @param {View} view
   * @param {Row[]} rows
   */
  function stepsElement(view, rows) {
    const main = element('main', 'steps-area');
    const heading = element('h2', 'steps-heading', 'Steps');
    heading.id = 'steps-heading';
    main.append(heading);
    if (rows.length === 0) {
      const none = element('p', 'muted', 'No steps.');
      none.id = 'no-steps';
      main.append(none);
      return main;
    }
    const note = element('p', 'hidden-note muted');
    note.id = 'hidden-note';
    note.hidden = true;
    main.append(note);
    const list = element('ul', 'steps');
    list.id = 'steps';
    list.setAttribute('role', 'list');
    list.setAttribute('aria-labelledby', 'steps-heading');
    for (const row of rows) list.append(rowElement(row, view));
    list.addEventListener('keydown', (event) => moveBetweenRows(list, event));
    main.append(list);
    return main;
  }

  /**
   * @param {Row} row
   * @param {View} view
   */
  function rowElement(row, view) {
    const item = element('li', 'row');
    item.dataset['path'] = row.path;
    item.dataset['change'] = row.change;
    item.dataset['focus'] = `row:${row.path}`;
    item.classList.toggle('changed', row.changed);
    item.classList.toggle('first-divergence', row.firstDivergence);
    if (row.verdict) item.classList.add(`verdict-${row.verdict}`);
    // Focusable by F7 and the arrow keys, not a Tab stop of its own (its buttons are).
    item.tabIndex = -1;
    item.setAttribute('aria-label', rowLabel(row));

    const head = element('div', 'row-head');
    const path = button(row.path, 'link path', () =>
      // A removed step ran only on the left.
      post({ type: 'openRun', side: row.right ? 'right' : 'left', path: row.path }),
    );
    path.dataset['focus'] = `path:${row.path}`;
    path.title = `Open ${row.path} in the ${row.right ? 'right' : 'left'} run’s details`;
    head.append(path, element('span', `badge change change-${token(row.change)}`, row.changeText));
    if (row.firstDivergence) head.append(element('span', 'badge divergence', 'first divergence'));
    if (row.provenance) {
      const provenance = element(
        'span',
        `badge provenance provenance-${token(row.provenance)}`,
        row.provenance,
      );
      provenance.title = PROVENANCE[row.provenance] ?? `Provenance: ${row.provenance}`;
      head.append(provenance);
    }
    if (row.verdict) {
      head.append(element('span', `badge verdict verdict-${row.verdict}`, row.verdict));
    }

    const facts = element('div', 'row-facts');
    const arrow = element('span', 'arrow', '→');
    arrow.setAttribute('aria-hidden', 'true');
    facts.append(
      stepSideElement(row.left, view.left.role, 'left'),
      arrow,
      stepSideElement(row.right, view.right.role, 'right'),
      deltaElement(row.deltaDuration, 'duration', 'Δ duration'),
      deltaElement(row.deltaTokens, 'tokens', 'Δ tokens'),
    );

    item.append(head, facts);
    if (row.output) item.append(valueChangeElement(row.output, 'Output', row.path, 'output'));
    if (row.input) item.append(valueChangeElement(row.input, 'Input', row.path, 'input'));
    return item;
  }

  /** @param {Row} row */
  function rowLabel(row) {
    return [row.path, row.changeText, row.verdict, row.provenance].filter(Boolean).join(', ');
  }

  /**
   * A step's status, duration and tokens on one side (or that it did not run there).
   * @param {StepSide | undefined} side
   * @param {string} role
   * @param {'left' | 'right'} which
   */
  function stepSideElement(side, role, which) {
    const cell = element(
      'span',
      `cell cell-${which}${side ? ` status-${token(side.status)}` : ''}`,
    );
    cell.append(element('span', 'visually-hidden', `${role}: `));
    if (!side) {
      cell.append(element('span', 'muted', 'not run'));
      return cell;
    }
    cell.append(symbolElement(side.status), element('span', 'status', side.status));
    if (side.duration) cell.append(element('span', 'duration', side.duration));
    if (side.tokens !== undefined)
      cell.append(element('span', 'tokens muted', `${side.tokens} tok`));
    return cell;
  }

  /**
   * Right minus left (`+120 ms`, `−12 tok`); an empty cell keeps the columns aligned.
   * @param {string | undefined} text
   * @param {string} kind
   * @param {string} label
   */
  function deltaElement(text, kind, label) {
    const delta = element('span', `delta delta-${kind}`);
    if (!text) return delta;
    delta.title = `${label}: right minus left`;
    const mark = element('span', 'delta-mark', 'Δ');
    mark.setAttribute('aria-hidden', 'true');
    delta.append(mark, element('span', 'visually-hidden', `${kind} change `), text);
    return delta;
  }

  /**
   * A changed value: inline lines of kept, added and removed text, or (long) a summary and a
   * button that opens both values in VS Code's diff editor.
   * @param {ValueChange} change
   * @param {string} label
   * @param {string} path
   * @param {'output' | 'input'} part
   */
  function valueChangeElement(change, label, path, part) {
    const box = element('div', `value-change value-change-${part}`);
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', `${label} of ${path}`);
    box.append(element('div', 'value-label', label));
    if (change.inline) {
      box.append(diffElement(change.lines));
    } else {
      const line = element('div', 'long-diff');
      const open = button('Open Diff', 'secondary', () => post({ type: 'openDiff', path, part }));
      open.dataset['focus'] = `diff:${part}:${path}`;
      open.title = `Open the two ${part}s of ${path} side by side`;
      line.append(element('span', 'diff-summary', change.summary), open);
      box.append(line);
    }
    return box;
  }

  /**
   * Inline diff lines: each a div of spans. Added and removed text is marked for screen readers
   * (and struck or underlined on screen), not only coloured.
   * @param {DiffPart[][]} lines
   */
  function diffElement(lines) {
    const diff = element('div', 'diff');
    for (const parts of lines) {
      const line = element('div', 'diff-line');
      for (const part of parts) {
        const kind = part.kind === 'added' || part.kind === 'removed' ? part.kind : 'same';
        if (kind !== 'same') line.append(element('span', 'visually-hidden', ` ${kind}: `));
        line.append(element('span', kind, part.text));
      }
      diff.append(line);
    }
    return diff;
  }

  // ——— The run's output ———

  /** @param {View} view */
  function outputElement(view) {
    const section = element('section', 'output-area');
    section.id = 'output';
    const heading = element('h2', 'output-heading', 'Output');
    heading.id = 'output-heading';
    section.setAttribute('aria-labelledby', heading.id);
    section.append(heading);
    const output = view.output;
    if (!output || !output.changed) {
      section.classList.add('same');
      section.append(element('p', 'muted', 'The same on both sides.'));
      return section;
    }
    section.classList.add('changed');
    const change = output.change;
    if (!change) {
      section.append(element('p', undefined, 'Changed.'));
    } else if (change.inline) {
      section.append(diffElement(change.lines));
    } else {
      const line = element('div', 'long-diff');
      const open = button('Open Diff', 'secondary', () => post({ type: 'openOutputDiff' }));
      open.id = 'output-diff';
      open.dataset['focus'] = 'output-diff';
      open.title = 'Open the two outputs side by side';
      line.append(element('span', 'diff-summary', change.summary), open);
      section.append(line);
    }
    return section;
  }

  // ——— Only changed steps ———

  /** Hides the identical rows while "Only changed steps" is on, and says how many are hidden. */
  function applyFilter() {
    const note = document.getElementById('hidden-note');
    const rows = rowElements();
    let hidden = 0;
    for (const row of rows) {
      const hide = state.onlyChanged && !row.classList.contains('changed');
      row.hidden = hide;
      if (hide) hidden += 1;
    }
    if (!note) return;
    note.hidden = hidden === 0;
    if (hidden === 0) {
      note.replaceChildren();
      return;
    }
    const steps = `identical step${hidden === 1 ? '' : 's'}`;
    const text =
      hidden === rows.length
        ? `${hidden === 1 ? 'The only step is identical and' : `All ${hidden} ${steps} are`} hidden. `
        : `${hidden} ${steps} hidden. `;
    const show = button('Show All Steps', 'link', () => {
      const box = /** @type {HTMLInputElement | null} */ (document.getElementById('only-changed'));
      if (box) box.checked = false;
      state.onlyChanged = false;
      save();
      applyFilter();
      rowElements()[0]?.focus();
    });
    show.id = 'show-all';
    show.dataset['focus'] = 'show-all';
    note.replaceChildren(text, show);
  }

  // ——— Moving between changes ———

  /**
   * Focuses the next (1) or previous (-1) changed row, wrapping, from the row with the focus (or
   * the change last moved to), scrolls it into view and says which it is.
   * @param {1 | -1} direction
   */
  function moveToChange(direction) {
    const rows = rowElements();
    const changed = rows.filter((row) => row.classList.contains('changed'));
    if (changed.length === 0) {
      say('No changed steps');
      return;
    }
    const active = document.activeElement;
    const focusedRow = active instanceof Element ? active.closest('#steps > .row') : null;
    let from = focusedRow ? rows.indexOf(/** @type {HTMLElement} */ (focusedRow)) : -1;
    if (from === -1 && state.current !== undefined) {
      from = rows.findIndex((row) => row.dataset['path'] === state.current);
    }
    const index = (/** @type {HTMLElement} */ row) => rows.indexOf(row);
    const target =
      direction === 1
        ? (changed.find((row) => index(row) > from) ?? changed[0])
        : from === -1
          ? changed[changed.length - 1]
          : ([...changed].reverse().find((row) => index(row) < from) ??
            changed[changed.length - 1]);
    if (!target) return;
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: 'nearest' });
    state.current = target.dataset['path'];
    save();
    const row = lastView?.rows.find((r) => r.path === target.dataset['path']);
    const what = row ? [row.changeText, row.verdict].filter(Boolean).join(', ') : '';
    say(
      `Change ${changed.indexOf(target) + 1} of ${changed.length}: ${target.dataset['path']}${
        what ? `, ${what}` : ''
      }`,
    );
  }

  /**
   * Up/Down (and Home/End) move between the shown rows when a row has the focus.
   * @param {HTMLElement} list
   * @param {KeyboardEvent} event
   */
  function moveBetweenRows(list, event) {
    const target = event.target instanceof HTMLElement ? event.target : null;
    // Only a row itself: its buttons keep their keys.
    if (!target || !target.matches('#steps > .row')) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const rows = rowElements().filter((row) => !row.hidden);
    const index = rows.indexOf(target);
    /** @type {HTMLElement | undefined} */
    let next;
    if (event.key === 'ArrowDown') next = rows[index + 1];
    else if (event.key === 'ArrowUp') next = rows[index - 1];
    else if (event.key === 'Home') next = rows[0];
    else if (event.key === 'End') next = rows[rows.length - 1];
    else return;
    event.preventDefault();
    if (!list.contains(next ?? null)) return;
    next?.focus({ preventScroll: true });
    next?.scrollIntoView({ block: 'nearest' });
  }

  /**
   * Says a text in the live region, again even when it is the same as the last one.
   * @param {string} text
   */
  function say(text) {
    announcer.textContent = announcer.textContent === text ? `${text}\u00a0` : text;
  }

  // ——— Helpers ———

  /** @returns {HTMLElement[]} */
  function rowElements() {
    return /** @type {HTMLElement[]} */ (Array.from(app.querySelectorAll('#steps > .row')));
  }

  /**
   * @param {HTMLElement} list
   * @param {string} term
   * @param {string | HTMLElement} value
   */
  function fact(list, term, value) {
    const pair = element('div', 'fact');
    const dd = element('dd');
    dd.append(value);
    pair.append(element('dt', undefined, term), dd);
    list.append(pair);
  }

  /**
   * A status symbol, hidden from screen readers (the words are said instead).
   * @param {string} status
   */
  function symbolElement(status) {
    const symbol = element('span', 'symbol', SYMBOLS[status] ?? '•');
    symbol.setAttribute('aria-hidden', 'true');
    return symbol;
  }

  /**
   * A word from the data made safe for a class name (`status-…`, `provenance-…`).
   * @param {string} word
   */
  function token(word) {
    return /^[a-z][a-z-]*$/.test(word) ? word : 'other';
  }

  /** @param {string} key */
  function findByFocusKey(key) {
    const found = Array.from(app.querySelectorAll('[data-focus]')).find(
      (node) => node instanceof HTMLElement && node.dataset['focus'] === key,
    );
    return found instanceof HTMLElement ? found : undefined;
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
   * @returns {State}
   */
  function restoredState(saved) {
    const s = /** @type {Record<string, unknown>} */ (
      saved && typeof saved === 'object' ? saved : {}
    );
    return {
      onlyChanged: typeof s['onlyChanged'] === 'boolean' ? s['onlyChanged'] : true,
      scrollY: typeof s['scrollY'] === 'number' ? s['scrollY'] : 0,
      ...(typeof s['current'] === 'string' ? { current: s['current'] } : {}),
    };
  }

  post({ type: 'ready' });
})();
