/**
 * Whether a click landed on (or inside) an element matching `selector`. Clickable table rows use
 * it to leave clicks on their own links, buttons and inputs to those.
 */
export function clickedWithin(e: { target: EventTarget | null }, selector: string): boolean {
  return e.target instanceof Element && e.target.closest(selector) !== null;
}
