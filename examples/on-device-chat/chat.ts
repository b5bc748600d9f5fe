// The demo's chat: two phones side by side. Every message is shown on both; only Mia's phone runs
// the on-device guard (the SDK), which decides whether to show her a warning and why. Her app keeps
// the guard's state in its own storage (here localStorage) and restores it on start.
import { OnDeviceGuard, type DeviceMessage, type Warning } from '@lifeguard/core/on-device';

const CHILD = 'mia';
const OTHER = 'rick';
const CONVERSATION = 'dm-mia-rick';
const STORE_KEY = 'lifeguard-demo';

/** Non-explicit grooming indicators, as in the project's test conversations. */
const EXAMPLE: [string, string][] = [
  [OTHER, 'hey saw ur drawing in the art group, ur really talented'],
  [CHILD, 'thanks :) who r u'],
  [OTHER, 'just a fan of ur art lol. how old r u?'],
  [CHILD, '13'],
  [OTHER, 'im 34 but age is just a number right. ur so mature for 13'],
  [OTHER, 'do ur parents check ur phone?'],
  [CHILD, 'sometimes my mom does'],
  [OTHER, 'lets keep this between us ok? delete our chat'],
  [OTHER, 'add me on snap its easier to talk there'],
  [OTHER, 'send me a pic of u so i know ur real'],
];

interface Saved {
  messages: DeviceMessage[];
  guard: unknown;
}

const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
})();

let messages: DeviceMessage[] = [];
let guard = new OnDeviceGuard({ childId: CHILD, childAge: 13 });

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function phone(user: string): HTMLElement {
  return document.querySelector(`section[data-user="${user}"]`) as HTMLElement;
}

function render(warning: Warning | null): void {
  const flagged = new Set(warning?.reasons.flatMap((r) => r.messageIds) ?? []);
  for (const user of [OTHER, CHILD]) {
    const list = phone(user).querySelector('.messages') as HTMLElement;
    list.replaceChildren(
      ...messages.map((m) => {
        const bubble = el('div', m.text, `msg${m.senderId === user ? ' mine' : ''}`);
        bubble.dataset.id = m.id;
        // Only the child's phone knows what the guard found.
        if (user === CHILD && flagged.has(m.id)) bubble.classList.add('flagged');
        return bubble;
      }),
    );
    list.scrollTop = list.scrollHeight;
  }
  const box = phone(CHILD).querySelector('.warnings') as HTMLElement;
  box.replaceChildren();
  if (warning) {
    const card = el('div', undefined, 'warning');
    card.setAttribute('role', 'alert');
    card.dataset.level = warning.level;
    const reasons = el('ul');
    reasons.append(...warning.reasons.map((r) => el('li', r.text)));
    const advice = el('ul', undefined, 'advice');
    advice.append(...warning.advice.map((a) => el('li', a)));
    card.append(el('h3', warning.title), el('p', warning.message), reasons, advice);
    box.append(card);
  }
  (document.getElementById('signal') as HTMLElement).textContent = JSON.stringify(guard.signal(CONVERSATION), null, 2);
}

function send(senderId: string, text: string): void {
  const message: DeviceMessage = {
    id: `msg-${messages.length + 1}`,
    conversationId: CONVERSATION,
    senderId,
    recipientIds: [senderId === CHILD ? OTHER : CHILD],
    text,
    time: Date.now(),
  };
  messages.push(message);
  const update = guard.observe(message);
  if (update.isNew) (document.getElementById('status') as HTMLElement).textContent = `Mia was warned (${update.level})`;
  storage?.setItem(STORE_KEY, JSON.stringify({ messages, guard: guard.saveState() } satisfies Saved));
  render(update.warning);
}

function restore(): void {
  const saved = storage?.getItem(STORE_KEY);
  if (!saved) return;
  try {
    const parsed = JSON.parse(saved) as Saved;
    guard = OnDeviceGuard.restore(parsed.guard);
    messages = parsed.messages;
  } catch (error) {
    // A damaged save starts a fresh chat rather than a broken one.
    console.warn(`ignoring saved demo state: ${(error as Error).message}`);
    storage?.removeItem(STORE_KEY);
  }
}

for (const user of [OTHER, CHILD]) {
  const form = phone(user).querySelector('form') as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = form.elements.namedItem('text') as HTMLInputElement;
    const text = input.value.trim();
    if (text) send(user, text);
    input.value = '';
  });
}
(document.getElementById('play') as HTMLElement).addEventListener('click', () => {
  for (const [senderId, text] of EXAMPLE) send(senderId, text);
});
(document.getElementById('reset') as HTMLElement).addEventListener('click', () => {
  storage?.removeItem(STORE_KEY);
  messages = [];
  guard = new OnDeviceGuard({ childId: CHILD, childAge: 13 });
  (document.getElementById('status') as HTMLElement).textContent = '';
  render(null);
});

restore();
render(guard.warning(CONVERSATION));
document.body.dataset.ready = 'true';
