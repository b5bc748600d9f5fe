// Writes the synthetic evaluation set examples/eval/eval-set.xml (PAN 2012 layout) and
// examples/eval/predators.txt (the offender author ids), deterministically.
//
//   node --import tsx examples/eval/generate.ts                          (the committed set)
//   node --import tsx examples/eval/generate.ts --seed 12345 --out /tmp/x  (a fresh draw elsewhere)
//
// A fresh seed re-draws every choice (styles, ages, apps, which optional lines, order), not the
// templates themselves; use it to check that figures do not hinge on one particular draw.
//
// Written from the published descriptions of grooming and sextortion (stages, typical requests),
// WITHOUT looking at the detector's signal lists, so the set does not merely echo the detector.
// Every line is non-explicit: age questions, secrecy, "add me on…", gifts, threats and payment
// demands, never sexual content. Harmful conversations are mixed with hard benign ones that share
// the surface cues (teens swapping handles and ages, surprise parties, debts, adults flirting…).
import { writeFileSync } from 'node:fs';

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}
const seedArgument = argument('--seed');
if (seedArgument !== undefined && !/^\d+$/.test(seedArgument)) throw new Error('--seed must be a whole number');
let state = seedArgument === undefined ? 0x2f6b3a1d : Number(seedArgument) | 0;
function random(): number {
  // mulberry32
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const chance = (p: number) => random() < p;
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
/** Some of the items, keeping their order. */
function some<T>(items: readonly T[], min: number): T[] {
  const kept = items.filter(() => chance(0.6));
  while (kept.length < Math.min(min, items.length)) {
    const extra = items.find((i) => !kept.includes(i));
    if (extra === undefined) break;
    kept.push(extra);
  }
  return items.filter((i) => kept.includes(i));
}
/** PAN ids are 32 hex digits. */
function authorId(): string {
  let id = '';
  for (let i = 0; i < 32; i++) id += Math.floor(random() * 16).toString(16);
  return id;
}

// ---------------------------------------------------------------------------------------------
// Writing styles

type Style = 'plain' | 'chat' | 'leet' | 'sloppy';

const CHAT_WORDS: [RegExp, string][] = [
  [/\byou\b/gi, 'u'],
  [/\byour\b/gi, 'ur'],
  [/\byou're\b/gi, 'ur'],
  [/\bare\b/gi, 'r'],
  [/\bplease\b/gi, 'pls'],
  [/\bbecause\b/gi, 'bc'],
  [/\bokay\b/gi, 'ok'],
  [/\bthanks\b/gi, 'thx'],
  [/\bpeople\b/gi, 'ppl'],
  [/\bwhat\b/gi, 'wat'],
  [/\bto\b/gi, '2'],
  [/\bfor\b/gi, '4'],
  [/\bgoing to\b/gi, 'gonna'],
  [/\bwant to\b/gi, 'wanna'],
  [/\btomorrow\b/gi, 'tmrw'],
  [/\bsee\b/gi, 'c'],
  [/\bdon't\b/gi, 'dont'],
  [/\bI'm\b/g, 'im'],
  [/\bcan't\b/gi, 'cant'],
];

const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };

function typo(word: string): string {
  if (word.length < 4 || !/^[a-z]+$/.test(word)) return word;
  const i = int(1, word.length - 2);
  return chance(0.5)
    ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2)
    : word.slice(0, i) + word.slice(i + 1);
}

function styled(text: string, style: Style): string {
  if (style === 'plain') return text;
  let out = text;
  for (const [pattern, replacement] of CHAT_WORDS) if (chance(0.85)) out = out.replace(pattern, replacement);
  out = out.toLowerCase().replace(/[.]$/, '');
  if (style === 'sloppy')
    out = out
      .split(' ')
      .map((w) => (chance(0.18) ? typo(w) : w))
      .join(' ');
  if (style === 'leet') {
    out = out
      .split(' ')
      .map((w) => (chance(0.45) ? w.replace(/[aeiost]/g, (c) => (chance(0.7) ? LEET[c]! : c)) : w))
      .join(' ');
  }
  if (chance(0.12)) out += pick([' lol', ' haha', ' :)', ' xD', ' lmao', '!!']);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Conversations

type Who = 'A' | 'B' | 'C';
interface Line {
  who: Who;
  text: string;
  /** Minutes since the previous line; a new day starts when the clock goes backwards. */
  gap?: number;
  /** Start of a later session (hours later, usually another day). */
  session?: boolean;
}

interface Scenario {
  family: string;
  harmful: boolean;
  /** Which speaker is the offender (harmful only). */
  offender?: Who;
  /** Reuse the offender of an earlier conversation (repeat offenders talk to several children). */
  offenderKey?: string;
  lines: Line[];
}

const say = (who: Who, text: string, gap?: number): Line => ({ who, text, ...(gap !== undefined ? { gap } : {}) });
const session = (who: Who, text: string): Line => ({ who, text, session: true });

// Ordinary chat, used both as benign conversations and as long stretches inside harmful ones.
const TEEN_SMALL_TALK: [string, string][] = [
  ['did you watch the new episode', 'not yet no spoilers'],
  ['what are you doing', 'homework, math is killing me'],
  ['what games do you play', 'mostly minecraft and fortnite'],
  ['my brother took the xbox again', 'thats so annoying'],
  ['are you going to the game on friday', 'maybe if my dad drives me'],
  ['i got a new puppy', 'omg send me a picture of the puppy'],
  ['this song is stuck in my head', 'which one'],
  ['our science teacher gave us a pop quiz', 'did you pass'],
  ['i am so bored', 'same'],
  ['what did you get for question 4', 'i think it was 12'],
  ['lunch today was terrible', 'the pizza was cold again'],
  ['do you like pizza or burgers more', 'pizza obviously'],
  ['have you finished the book for english', 'only half of it'],
  ['my mom is making tacos tonight', 'lucky'],
  ['it snowed so much here', 'no school tomorrow hopefully'],
  ['what is your favourite youtuber', 'probably mrbeast'],
  ['i beat the last level finally', 'nice took me ages'],
  ['my phone is at 3 percent', 'charge it lol'],
];

const ADULT_SMALL_TALK: [string, string][] = [
  ['how was work today', 'long, the printer broke again'],
  ['did you see the match last night', 'yes what a finish'],
  ['traffic was awful this morning', 'the bridge was closed again'],
  ['any plans for the weekend', 'just the garden probably'],
  ['have you tried that new coffee place', 'yes the flat white is good'],
  ['my landlord finally fixed the heating', 'about time'],
  ['the train was late again', 'of course it was'],
  ['what are you reading at the moment', 'a crime novel, pretty gripping'],
  ['i started running again', 'good for you, how far'],
  ['the kids have a day off on monday', 'ours too'],
];

function smallTalk(pool: [string, string][], pairs: number, first: Who = 'A', second: Who = 'B'): Line[] {
  const lines: Line[] = [];
  for (const [q, a] of shuffle([...pool]).slice(0, pairs)) {
    const asker = chance(0.5) ? first : second;
    const answerer = asker === first ? second : first;
    lines.push(say(asker, q, int(0, 3)), say(answerer, a, int(0, 2)));
  }
  return lines;
}

const CHILD_AGES = [11, 12, 13, 14];
const TEEN_AGES = [14, 15, 16];
const APPS = ['snap', 'snapchat', 'kik', 'telegram', 'whatsapp', 'discord', 'insta', 'signal'];
const GAME_CURRENCY = ['robux', 'v-bucks', 'vbucks', 'minecoins', 'gems', 'skins'];
const GIFT_CARDS = [
  'a steam gift card',
  'an amazon gift card',
  'a google play card',
  'an apple gift card',
  'a roblox card',
];
const PAY_APPS = ['cashapp', 'paypal', 'venmo', 'zelle', 'bitcoin'];
const PLACES = [
  'the mall',
  'the park by the library',
  'the skate park',
  'the cinema',
  'the bus station',
  'mcdonalds near your school',
];

// --- harmful families ---------------------------------------------------------------------------

function slowGrooming(style: Style): Scenario {
  const age = pick(CHILD_AGES);
  const adultAge = pick([19, 22, 26, 31, 35, 42]);
  const app = pick(APPS);
  const s = (text: string) => styled(text, style);
  const lines: Line[] = [];
  lines.push(
    say('A', s(pick(['hey there', 'hi', 'hello :)', 'hey whats up']))),
    say('B', s(pick(['hi', 'hey', 'who is this'])), 2),
  );
  lines.push(
    say(
      'A',
      s(
        pick([
          'i saw your post in the art group, you draw really well',
          'you were in my lobby earlier, you are really good at this game',
          'saw your video, you are really talented',
        ]),
      ),
      1,
    ),
  );
  lines.push(say('B', s(pick(['thanks', 'lol thanks', 'omg thank you'])), 1));
  lines.push(...smallTalk(TEEN_SMALL_TALK, int(2, 4)));
  lines.push(say('A', s(pick(['how old are you btw', 'asl?', 'what grade are you in', 'how old r you anyway'])), 2));
  lines.push(say('B', s(pick([`${age}`, `im ${age}`, `${age} wbu`, `${age}, in ${age - 5}th grade`])), 1));
  lines.push(
    say(
      'A',
      s(
        pick([
          `im ${adultAge} hope thats ok`,
          `${adultAge}, age is just a number tho`,
          `im ${adultAge} but i feel younger lol`,
          'a bit older than you, does that matter?',
        ]),
      ),
      2,
    ),
  );
  // Trust and special relationship
  lines.push(
    session(
      'A',
      s(
        pick([
          'hey you, i was thinking about our chat yesterday',
          'good morning :) did you sleep well',
          'missed talking to you today',
        ]),
      ),
    ),
  );
  lines.push(say('B', s(pick(['hey', 'hii', 'lol hi'])), 3));
  lines.push(
    ...some(
      [
        say('A', s(`you are so mature for ${age}`), 2),
        say('A', s('you can tell me anything, i will never judge you'), 2),
        say('A', s('the kids at your school do not get you like i do'), 3),
        say('A', s('you are not like other girls your age')),
        say('A', s('i feel like we have a real connection'), 2),
        say('B', s('haha thanks, nobody says that to me'), 1),
      ],
      3,
    ),
  );
  lines.push(...smallTalk(TEEN_SMALL_TALK, int(1, 3)));
  // Risk assessment and isolation
  lines.push(
    session('A', s(pick(['are your parents home right now', 'are you alone in your room', 'is your mom around']))),
  );
  lines.push(say('B', s(pick(['no they are at work', 'my mom is downstairs', 'dad is out till late'])), 2));
  lines.push(
    ...some(
      [
        say('A', s('do they ever check your phone'), 1),
        say('B', s(pick(['sometimes', 'not really', 'my mom does on sundays'])), 1),
        say('A', s('your parents would not understand us, they would freak out'), 2),
        say('A', s("don't tell anyone we talk ok, it's just between us"), 1),
        say('A', s('delete our messages after, just to be safe'), 2),
        say('B', s(pick(['ok', 'why', 'ok i guess'])), 1),
        say('A', s('because people would get the wrong idea about us'), 1),
      ],
      4,
    ),
  );
  // Platform move, pictures, meeting
  lines.push(
    session(
      'A',
      s(
        pick([
          `add me on ${app}, it is more private there`,
          `do you have ${app}? lets talk there instead`,
          `this app is boring, text me on ${app}`,
        ]),
      ),
    ),
  );
  lines.push(say('B', s(pick([`ok whats your ${app}`, 'i only have this one', 'my mom doesnt let me have it'])), 2));
  lines.push(
    say(
      'A',
      s(
        pick([
          `it is jay.${int(10, 99)}, messages disappear there`,
          `my number is 07${int(100, 999)} ${int(100000, 999999)}, text me`,
          'i can show you how to hide it from her',
        ]),
      ),
      1,
    ),
  );
  lines.push(
    ...some(
      [
        say('A', s('send me a picture of you so i know you are real'), 2),
        say('A', s('turn on your camera, i want to see you'), 2),
        say('B', s(pick(['idk', 'im not allowed', 'maybe later'])), 2),
        say('A', s('just one, only for me, nobody else will see it'), 1),
        say('A', s(`i could meet you at ${pick(PLACES)} on saturday`), 3),
        say('A', s("i can pick you up after school, just tell your mom you're at a friend's"), 2),
        say('A', s('what school do you go to'), 2),
        say('B', s(pick(['why', 'i dont know if i should say', 'westfield middle'])), 1),
      ],
      4,
    ),
  );
  return { family: 'slow grooming over several days', harmful: true, offender: 'A', lines };
}

function sextortion(style: Style): Scenario {
  const age = pick(TEEN_AGES);
  const amount = pick([100, 150, 200, 300, 500, 800]);
  const pay = pick(PAY_APPS);
  const s = (text: string) => styled(text, style);
  const broken = chance(0.5); // scripts are often in broken English
  const lines: Line[] = [
    say('A', s(pick(['hey cutie', 'hi handsome', 'hey, you look cute in your pics']))),
    say('B', s(pick(['hey who is this', 'hi', 'thanks lol'])), 1),
    say('A', s(pick(['im jess, 17, from texas', 'im mia, 16, just moved here', 'im sara, you seem nice'])), 0),
    say('A', s(pick(['how old are you', 'wyd rn'])), 0),
    say('B', s(pick([`${age}`, `${age} u?`, `im ${age}`])), 1),
    say('A', s(`do you have ${pick(['insta', 'snap', 'a cam'])}`), 0),
    say('A', s(pick(['send me a pic of you', 'send a selfie', 'lets video call'])), 1),
    say('B', s(pick(['ok', 'sure one sec', 'idk'])), 2),
  ];
  lines.push(
    session(
      'A',
      broken
        ? pick([
            'i have your picture and i record everything',
            'i screenshot all your pics',
            'i have record our video call',
          ])
        : pick(['i saved your pictures and i recorded our video call', 'i have screenshots of everything you sent me']),
    ),
  );
  lines.push(
    ...some(
      [
        say(
          'A',
          broken
            ? 'i have all your followers and your family list'
            : 'i have a list of all your followers and your family',
          0,
        ),
        say(
          'A',
          broken
            ? `if you not pay ${amount}$ i send to everyone, your school, your mom`
            : `pay me $${amount} or i will send them to all your friends and your family`,
          0,
        ),
        say('B', s(pick(['please dont', 'what?? please no', `im only ${age}`, 'please delete them'])), 1),
        say(
          'A',
          broken
            ? `send on ${pay} now or buy ${pick(GIFT_CARDS)} and send the code`
            : `send it on ${pay}, or buy ${pick(GIFT_CARDS)} and send me the code`,
          0,
        ),
        say(
          'A',
          broken
            ? `you have ${pick([10, 15, 30])} minute`
            : `you have ${pick([10, 20, 30])} minutes or i post everything`,
          0,
        ),
        say('B', s(pick(['i dont have that much money', 'i only have $40', 'i can give you $50'])), 2),
        say('A', broken ? 'i not play with you, i destroy your life' : 'then ask your parents, i am not joking', 0),
        say('A', broken ? 'time is going, 5 minute left' : 'clock is ticking', 1),
        say('B', s(pick(['ok ok i will send it', 'please stop', 'i sent $50 please delete it'])), 2),
        say('A', broken ? 'not enough, send 100 more or i post now' : 'that is not enough, i want the rest now', 0),
      ],
      7,
    ),
  );
  return { family: 'financial sextortion script', harmful: true, offender: 'A', lines };
}

function platformMove(style: Style): Scenario {
  const age = pick([10, 11, 12, 13]);
  const app = pick(APPS);
  const s = (text: string) => styled(text, style);
  const lines: Line[] = [
    say('A', s(pick(['gg nice build', 'you are really good at this', 'wanna team up']))),
    say('B', s(pick(['thanks', 'ok sure', 'lol ty'])), 1),
    ...smallTalk(TEEN_SMALL_TALK, int(1, 3)),
    say('A', s(pick(['how old are you', 'what grade you in', 'are you like 12'])), 1),
    say('B', s(pick([`${age}`, `im ${age}`, `${age}, why`])), 1),
    say(
      'A',
      s(
        pick([
          'cool, i am a bit older but i like hanging with younger gamers',
          'nice, i am in college lol',
          'ok no worries, i like teaching younger players',
        ]),
      ),
      1,
    ),
    say(
      'A',
      s(
        pick([
          `add me on ${app}, i am gamer_${int(100, 999)}`,
          `lets talk on ${app}, the chat here is watched by mods`,
          `do you have ${app}? it is easier to talk there`,
        ]),
      ),
      1,
    ),
    say('B', s(pick([`i dont have ${app}`, 'my parents dont let me', 'ok'])), 2),
    say(
      'A',
      s(
        pick([
          `here is my number 07${int(100, 999)} ${int(100000, 999999)}, text me`,
          'download it, it only takes a minute',
          `you can make an account, you don't need to tell your parents`,
        ]),
      ),
      1,
    ),
    say(
      'A',
      s(pick(['dont tell your parents you have my number', 'keep this between us ok', 'delete this chat after'])),
      1,
    ),
    say('B', s(pick(['ok', 'why not', 'ok i will'])), 1),
  ];
  return { family: 'adult moving a child to another app', harmful: true, offender: 'A', lines };
}

function giftGrooming(style: Style): Scenario {
  const age = pick([10, 11, 12, 13, 14]);
  const currency = pick(GAME_CURRENCY);
  const s = (text: string) => styled(text, style);
  const lines: Line[] = [
    say('A', s(pick([`want free ${currency}?`, `i have extra ${currency}, want some`, `i can buy you ${currency}`]))),
    say('B', s(pick(['really??', 'for real?', 'how'])), 1),
    say('A', s("yeah, what's your username"), 1),
    say('B', s(`its ${pick(['skyler', 'bluefox', 'pixel', 'dragon'])}${int(10, 999)}`), 1),
    say('A', s(pick(['how old are you by the way', 'what grade are you in'])), 2),
    say('B', s(pick([`${age}`, `im ${age}`])), 1),
    say(
      'A',
      s(
        pick([
          `sent you 800 ${currency}`,
          `just sent you ${pick(GIFT_CARDS)}`,
          `i can get you ${pick(GIFT_CARDS)} too`,
        ]),
      ),
      2,
    ),
    say('B', s(pick(['omg thank you', 'thanks so much', 'wow thanks'])), 1),
  ];
  lines.push(
    ...some(
      [
        say('A', s("don't tell your mom where you got them, she would think it's weird"), 2),
        say('A', s('it is our little secret ok'), 1),
        say('A', s('you owe me a favour now'), 3),
        say('A', s('send me a selfie to say thanks'), 1),
        say('A', s('i can give you more if you turn on your cam'), 2),
        say('B', s(pick(['ok', 'what favour', 'idk about that'])), 2),
        say('A', s('only if you keep it between us, or i take it all back'), 1),
        say('A', s(`add me on ${pick(APPS)} so we can talk more`), 2),
      ],
      5,
    ),
  );
  return { family: 'gift and game-currency grooming', harmful: true, offender: 'A', lines };
}

function modellingOffer(style: Style): Scenario {
  const age = pick([12, 13, 14, 15]);
  const s = (text: string) => styled(text, style);
  const lines: Line[] = [
    say('A', s('hi, i am a photographer, you have a great look for modelling')),
    say('B', s(pick(['really?', 'omg thanks', 'who is this'])), 2),
    say('A', s('how old are you? i work with a lot of young models'), 1),
    say('B', s(`${age}`), 1),
    say('A', s('perfect age to start. you could earn $100 per shoot'), 1),
    say('A', s('send me a few photos of you first so i can show my agency'), 1),
    say('B', s(pick(['ok what kind of photos', 'should i ask my mom', 'ok'])), 3),
    say('A', s("don't tell your parents yet, i want it to be a surprise when you get the contract"), 1),
    say('A', s(`add me on ${pick(APPS)}, i send the details there`), 1),
    say('A', s(pick(['we could do a test shoot at my studio, i can pick you up', 'where do you live, i am near']))),
  ];
  return { family: 'fake modelling offer', harmful: true, offender: 'A', lines };
}

function meetingPush(style: Style): Scenario {
  const age = pick([12, 13, 14]);
  const adultAge = pick([28, 34, 39, 45]);
  const s = (text: string) => styled(text, style);
  const lines: Line[] = [
    say('A', s(pick(['hey, remember me from the game?', 'hi again', 'hey you']))),
    say('B', s('hey'), 2),
    ...smallTalk(TEEN_SMALL_TALK, int(1, 3)),
    say('A', s('how old did you say you were'), 2),
    say('B', s(`${age}`), 1),
    say('A', s(`i am ${adultAge}, but we get on so well`), 1),
    say('A', s('which school do you go to'), 3),
    say('A', s('what time do you finish school'), 2),
    say('B', s(pick(['3:15', 'around 3', 'why'])), 1),
    say('A', s(`i could pick you up and we go to ${pick(PLACES)}`), 1),
    say('A', s("tell your mom you're at a friend's house"), 1),
    say('A', s("don't tell anyone about this, they would not understand"), 1),
    say('B', s(pick(['i dont know', 'ok maybe', 'my mom would be mad'])), 4),
    say('A', s('come on, it will be fun, i will bring you a present'), 1),
  ];
  return { family: 'adult pushing to meet a child', harmful: true, offender: 'A', lines };
}

/** A harmful core buried in long ordinary chat: the risky lines are a small share. */
function buried(core: Scenario): Scenario {
  const lines: Line[] = [];
  const filler = () => smallTalk(TEEN_SMALL_TALK, int(3, 6));
  lines.push(...filler(), ...filler());
  core.lines.forEach((line, i) => {
    lines.push(line);
    if (i % 4 === 3) lines.push(...filler());
  });
  lines.push(...filler());
  return { ...core, family: `${core.family}, buried in ordinary chat`, lines };
}

// --- hard benign families -------------------------------------------------------------------------

function teensSwapHandles(style: Style): Scenario {
  const age = pick(TEEN_AGES);
  const app = pick(['snap', 'snapchat', 'insta', 'discord']);
  const s = (text: string) => styled(text, style);
  return {
    family: 'teens of the same age swapping handles and ages',
    harmful: false,
    lines: [
      say(
        'A',
        s(
          pick([
            'you are in my history class right',
            'hey are you the new kid in 9b',
            'i think we were on the same team in the game',
          ]),
        ),
      ),
      say('B', s(pick(['yeah lol', 'yes hi', 'haha yes'])), 1),
      say('A', s('how old are you'), 1),
      say('B', s(`${age}, you?`), 1),
      say('A', s(`same, ${age} in june`), 1),
      ...smallTalk(TEEN_SMALL_TALK, int(1, 3)),
      say('A', s(`add me on ${app}, its ${pick(['ellie', 'max', 'noah', 'ava'])}.${int(10, 99)}`), 1),
      say('B', s(`added! send me a pic of your dog`), 1),
      say(
        'A',
        s(pick(["don't tell anyone but i think i failed the test", 'dont tell sam i told you about the party'])),
        2,
      ),
      say('B', s(pick(['lol my lips are sealed', 'haha ok', 'i wont'])), 1),
    ],
  };
}

function birthdaySurprise(): Scenario {
  const who = pick(['dad', 'grandma', 'your brother', 'auntie jo']);
  return {
    family: 'parent asking a child to keep a birthday surprise secret',
    harmful: false,
    lines: [
      say('A', 'hi sweetheart, are you home from school yet'),
      say('B', 'yes just got in', 2),
      say('A', `remember the party for ${who} on saturday is a surprise`, 1),
      say('A', "don't tell anyone, it's our secret until then", 0),
      say('B', 'i know mum!! i wont', 1),
      say('A', `can you hide the present in your room so ${who === 'dad' ? 'he' : 'they'} does not find it`, 2),
      say('B', 'ok where is it', 1),
      say('A', 'in the car boot. delete this message in case they see your phone haha', 1),
      say('B', 'lol ok', 1),
      say('A', 'love you, dinner at 6', 3),
    ],
  };
}

function payMeBack(style: Style): Scenario {
  const amount = pick(['£20', '$20', '£15', '$35', '10 quid', '€25']);
  const s = (text: string) => styled(text, style);
  return {
    family: 'friends settling a small debt',
    harmful: false,
    lines: [
      say('A', s(`can you pay me back the ${amount} for the concert tickets`)),
      say('B', s(pick(['oh yeah sorry forgot', 'yes sorry', 'omg yes'])), 3),
      say('B', s(`send me your ${pick(['paypal', 'bank details', 'venmo', 'revolut'])}`), 1),
      say('A', s(pick(['its the same email as before', 'sent it to you in the group chat', 'just use my number'])), 1),
      say('B', s(pick(['done!', 'sent, check it', 'should be there now'])), 4),
      say('A', s(pick(['got it thanks', 'yep got it', 'cheers'])), 2),
      say('B', s("don't tell jamie i was late paying again lol"), 1),
      say('A', s('haha your secret is safe'), 1),
    ],
  };
}

function adultsFlirting(style: Style): Scenario {
  const a = pick([26, 29, 31, 34, 38]);
  const b = a + pick([-3, -1, 0, 2, 4]);
  const s = (text: string) => styled(text, style);
  return {
    family: 'two adults flirting',
    harmful: false,
    lines: [
      say('A', s(pick(['hey, loved your profile', 'hi, you have a great smile', 'hello, fellow hiker?']))),
      say('B', s(pick(['thank you, yours too', 'haha hi', 'yes! love the mountains'])), 5),
      say('A', s('how old are you if you do not mind me asking'), 2),
      say('B', s(`${b}, and you?`), 1),
      say('A', s(`${a}. what do you do for work`), 1),
      say(
        'B',
        s(pick(['nurse, night shifts mostly', 'accountant, boring i know', 'teacher at a secondary school'])),
        2,
      ),
      ...smallTalk(ADULT_SMALL_TALK, int(1, 3)),
      say('A', s('you are really beautiful by the way'), 3),
      say('B', s('stop it haha'), 1),
      say('A', s(`do you have ${pick(['whatsapp', 'telegram', 'instagram'])}? easier to chat there`), 2),
      say('B', s(`sure, my number is 07${int(100, 999)} ${int(100000, 999999)}`), 2),
      say(
        'A',
        s(pick(['would you like to meet for a drink on friday', 'dinner this weekend?', 'coffee on sunday?'])),
        3,
      ),
      say('B', s(pick(['i would love that', 'sounds good', 'yes! where'])), 2),
    ],
  };
}

function coachPractice(): Scenario {
  const time = pick(['5pm', '4:30', '6 o clock', '10am']);
  return {
    family: 'coach or teacher arranging practice',
    harmful: false,
    lines: [
      say('A', `hi team, practice moved to ${time} tomorrow`),
      say('A', 'please tell your parents about the new time', 0),
      say('B', 'ok coach, can my mom pick me up at 7', 5),
      say('A', 'yes, pick up is at the main gate as usual', 2),
      say('B', 'how old do you need to be for the regional team', 3),
      say('A', 'under 14 on september 1st, so you are fine', 2),
      say('A', 'bring water and your shin pads, and ask your parents to sign the permission slip', 1),
      say('B', 'will do', 1),
      say('A', 'great effort on saturday by the way, you were brilliant', 2),
    ],
  };
}

function siblings(style: Style): Scenario {
  const s = (text: string) => styled(text, style);
  return {
    family: 'siblings',
    harmful: false,
    lines: [
      say('A', s(pick(['i broke moms vase', 'i ate the last of the ice cream', 'i scratched dads car with my bike']))),
      say('B', s('omg she is going to kill you'), 1),
      say('A', s("please don't tell mom, i will fix it"), 0),
      say('B', s('what do i get lol'), 1),
      say('A', s(`i will give you my ${pick(['dessert for a week', 'robux', 'turn on the xbox', 'allowance'])}`), 1),
      say('B', s('deal. delete the chat so she does not see it haha'), 1),
      say('A', s('are you home alone or is dad there'), 3),
      say('B', s('dad is in the garden'), 1),
      say('A', s('ok i will be home at 5, open the door for me'), 1),
    ],
  };
}

function gamersTrading(style: Style): Scenario {
  const currency = pick(GAME_CURRENCY);
  const s = (text: string) => styled(text, style);
  return {
    family: 'gamers trading items',
    harmful: false,
    lines: [
      say('A', s(`i will give you 500 ${currency} for that skin`)),
      say('B', s(pick(['make it 700', 'no way, its rare', 'deal if you add the pickaxe'])), 1),
      say('A', s('600 and the pickaxe, final offer'), 1),
      say('B', s('ok send me the trade request'), 1),
      say('A', s('sent. how old are you btw, your voice sounded young on the mic'), 3),
      say('B', s(`${pick(TEEN_AGES)} lol, you?`), 1),
      say('A', s(`${pick(TEEN_AGES)}`), 1),
      say('A', s(`add me on ${pick(['discord', 'xbox', 'psn'])} for the next raid`), 2),
      say('B', s('sure, gg'), 1),
    ],
  };
}

function dontTellMomJokes(style: Style): Scenario {
  const s = (text: string) => styled(text, style);
  return {
    family: 'friends joking about not telling mom',
    harmful: false,
    lines: [
      say(
        'A',
        s(
          pick([
            'i stayed up till 3 playing',
            'i skipped breakfast and ate 4 donuts',
            'i dyed my hair blue with a marker',
          ]),
        ),
      ),
      say('B', s('hahaha dont tell your mom'), 1),
      say('A', s('she is going to find out anyway'), 1),
      say('B', s('send me a pic'), 1),
      say('A', s(pick(['no its embarrassing', 'ok one sec', 'later'])), 1),
      ...smallTalk(TEEN_SMALL_TALK, int(2, 4)),
      say('B', s('our secret lol, see you at school tomorrow'), 2),
    ],
  };
}

function tutorWithParent(): Scenario {
  return {
    family: 'tutor arranging a lesson with a parent',
    harmful: false,
    lines: [
      say('A', 'hello, this is mr patel, the maths tutor'),
      say('B', 'hi, thanks for getting back to us', 10),
      say('A', 'how old is your son, and which year is he in', 2),
      say('B', 'he is 12, year 7', 3),
      say('A', 'great, i can do wednesdays at 5 at your house or online', 2),
      say('B', 'online is better, can we use zoom', 4),
      say('A', 'yes, i will send the link. payment is £30 per lesson by bank transfer', 2),
      say('B', 'perfect, see you wednesday', 3),
    ],
  };
}

function parentCheckIn(style: Style): Scenario {
  const s = (text: string) => styled(text, style);
  return {
    family: 'parent checking in on a child',
    harmful: false,
    lines: [
      say('A', 'where are you? you said you would be home by 6'),
      say('B', s("i'm at emma's, we are finishing the project"), 3),
      say('A', 'ok, is her mum home?', 1),
      say('B', s('yes she is making dinner'), 1),
      say('A', "i'll pick you up at 8. send me a picture of the project when it's done, i want to see", 2),
      say('B', s('ok mum'), 1),
      say('A', "and don't tell your brother we're getting pizza after, he'll be jealous", 3),
      say('B', s('haha ok'), 1),
    ],
  };
}

function friendsPlanning(style: Style): Scenario {
  const s = (text: string) => styled(text, style);
  const place = pick(PLACES);
  return {
    family: 'teen friends planning to meet with parents aware',
    harmful: false,
    lines: [
      say('A', s(`wanna meet at ${place} on saturday`)),
      say('B', s('yes! my mom can drive us'), 2),
      say('A', s('what time'), 1),
      say('B', s('2? she said she will pick us up at 5'), 2),
      say('A', s('perfect, i will ask my dad for some money for food'), 1),
      ...smallTalk(TEEN_SMALL_TALK, int(1, 3)),
      say('B', s('dont tell lily, its a surprise for her birthday'), 2),
      say('A', s('i wont!!'), 1),
    ],
  };
}

function adultSiblingsMoney(style: Style): Scenario {
  const s = (text: string) => styled(text, style);
  return {
    family: 'adult siblings lending money',
    harmful: false,
    lines: [
      say('A', s('can you send me $50 on venmo, i will pay you back friday')),
      say('B', s('again? lol ok'), 4),
      say('B', s('sent. you owe me dinner too'), 1),
      say('A', s('thank you!! dont tell mom, she will lecture me about budgeting'), 1),
      say('B', s('haha fine, but pay me back or i tell her'), 1),
      say('A', s('deal. are you coming for sunday lunch'), 3),
      say('B', s('yes bringing the kids'), 2),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Assembly

const HARMFUL_PLAN: [(style: Style) => Scenario, Style[]][] = [
  [
    slowGrooming,
    ['chat', 'chat', 'sloppy', 'plain', 'chat', 'sloppy', 'leet', 'chat', 'plain', 'sloppy', 'chat', 'leet'],
  ],
  [sextortion, ['plain', 'chat', 'sloppy', 'chat', 'plain', 'leet', 'chat', 'sloppy', 'plain', 'chat']],
  [platformMove, ['chat', 'sloppy', 'plain', 'leet', 'chat', 'sloppy', 'chat', 'plain']],
  [giftGrooming, ['chat', 'plain', 'sloppy', 'leet', 'chat', 'sloppy', 'plain', 'chat']],
  [modellingOffer, ['plain', 'chat', 'sloppy', 'plain']],
  [meetingPush, ['chat', 'plain', 'sloppy', 'leet']],
];

const BENIGN_PLAN: [(style: Style) => Scenario, number][] = [
  [teensSwapHandles, 12],
  [() => birthdaySurprise(), 7],
  [payMeBack, 8],
  [adultsFlirting, 10],
  [() => coachPractice(), 7],
  [siblings, 8],
  [gamersTrading, 9],
  [dontTellMomJokes, 9],
  [() => tutorWithParent(), 4],
  [parentCheckIn, 6],
  [friendsPlanning, 7],
  [adultSiblingsMoney, 5],
];

interface Built {
  id: string;
  scenario: Scenario;
  authors: Record<Who, string>;
}

function build(): Built[] {
  const out: Built[] = [];
  const offenders: string[] = [];
  const styles: Style[] = ['plain', 'chat', 'sloppy', 'leet'];
  let buriedCount = 0;
  for (const [make, plan] of HARMFUL_PLAN) {
    for (const style of plan) {
      let scenario = make(style);
      // Every fourth harmful conversation is buried in long ordinary chat.
      if (++buriedCount % 4 === 0) scenario = buried(scenario);
      // About one in four offenders also appears in an earlier conversation with another child.
      const offender = offenders.length > 0 && chance(0.25) ? pick(offenders) : authorId();
      if (!offenders.includes(offender)) offenders.push(offender);
      out.push({ id: '', scenario, authors: { A: offender, B: authorId(), C: authorId() } });
    }
  }
  for (const [make, count] of BENIGN_PLAN) {
    for (let i = 0; i < count; i++)
      out.push({ id: '', scenario: make(pick(styles)), authors: { A: authorId(), B: authorId(), C: authorId() } });
  }
  shuffle(out);
  out.forEach((b, i) => {
    b.id = authorId().slice(0, 8) + String(i).padStart(4, '0');
  });
  return out;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function toXml(conversations: Built[]): string {
  const parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<conversations>'];
  for (const { id, scenario, authors } of conversations) {
    parts.push(`<conversation id="${id}">`);
    let minute = int(6 * 60, 22 * 60);
    scenario.lines.forEach((line, i) => {
      if (line.session) {
        // A later session: the clock usually goes backwards, which readers take as a new day.
        minute = (minute + int(10, 20) * 60) % (24 * 60);
      } else {
        minute = (minute + (line.gap ?? int(0, 2))) % (24 * 60);
      }
      const hh = String(Math.floor(minute / 60)).padStart(2, '0');
      const mm = String(minute % 60).padStart(2, '0');
      parts.push(
        `<message line="${i + 1}">`,
        `<author>${authors[line.who]}</author>`,
        `<time>${hh}:${mm}</time>`,
        `<text>${escapeXml(line.text)}</text>`,
        '</message>',
      );
    });
    parts.push('</conversation>');
  }
  parts.push('</conversations>', '');
  return parts.join('\n');
}

const conversations = build();
const outArgument = argument('--out');
const here = outArgument ? `${outArgument.replace(/\/$/, '')}/` : new URL('.', import.meta.url).pathname;
if (outArgument) (await import('node:fs')).mkdirSync(outArgument, { recursive: true });
writeFileSync(`${here}eval-set.xml`, toXml(conversations));
const offenders = [
  ...new Set(conversations.filter((c) => c.scenario.harmful).map((c) => c.authors[c.scenario.offender ?? 'A'])),
].sort();
writeFileSync(`${here}predators.txt`, `${offenders.join('\n')}\n`);
// Conversation-level labels too, for `lifeguard eval --labels` and `lifeguard train --labels`.
writeFileSync(
  `${here}labels.jsonl`,
  `${conversations
    .map((c) =>
      JSON.stringify({
        conversationId: c.id,
        label: c.scenario.harmful ? 'harmful' : 'benign',
        family: c.scenario.family,
      }),
    )
    .join('\n')}\n`,
);
const harmful = conversations.filter((c) => c.scenario.harmful).length;
const messages = conversations.reduce((n, c) => n + c.scenario.lines.length, 0);
console.log(
  `wrote eval-set.xml: ${conversations.length} conversations (${harmful} harmful, ${conversations.length - harmful} benign), ${messages} messages; predators.txt: ${offenders.length} offender ids; labels.jsonl`,
);
