// @ts-check
/**
 * DOM helpers every Lockstep webview page shares, loaded before the page's own script (same
 * nonce). Pages build their DOM with these and textContent only: data is never markup.
 */
'use strict';

(function () {
  /**
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag
   * @param {string} [className]
   * @param {string} [text]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /**
   * A real button (keyboard and screen readers for free), never a submit button.
   * @param {string} text
   * @param {string} className
   * @param {() => void} onClick
   */
  function button(text, className, onClick) {
    const node = element('button', className, text);
    node.type = 'button';
    node.addEventListener('click', onClick);
    return node;
  }

  /** @type {any} */ (globalThis).lockstepDom = Object.freeze({ element, button });
})();
