/**
 * Guarded `customElements.define`. The registry is global and refuses a second definition, which
 * happens when the labextension and an anywidget `_esm` of the same package load in one page, or
 * on hot reload (lit#4455). The first definition wins; a different class gets one warning.
 */
export function defineElement(tag: string, element: CustomElementConstructor): void {
  const existing = customElements.get(tag);
  if (existing === undefined) {
    customElements.define(tag, element);
  } else if (existing !== element) {
    console.warn(
      `[openhcs-remote] <${tag}> is already defined by another copy of the widget; ` +
        `keeping the first (reload the page after upgrading openhcs-remote).`,
    );
  }
}
