// Text from input files (file names, record contents, parser messages) reaches a terminal through
// stderr. Control characters in it could move the cursor, rewrite earlier lines or set the window
// title, so each is shown as a visible escape (ESC as \x1b) instead; line breaks are kept.
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control and bidi-override character made visible (\x1b, \u202e); newlines kept. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
