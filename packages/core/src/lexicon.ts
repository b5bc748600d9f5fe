// The signal lexicon: rules as data. Each rule names a signal kind, the grooming stage it
// evidences, and phrase patterns in a small language that signals.ts compiles and checks:
//
//   word          a word, normalised the same way as messages ("ur" = "your", "good" = "god")
//   (a|b c)       alternatives, each one or more words;  (…)? makes the group optional
//   #age          a number from 5 to 99, captured as an age
//   #num          any number
//   *             exactly one word of any kind
//   ~             a gap of zero to three words
//
// Cue lists are deliberately non-explicit: they describe behaviours (asking a child's age,
// asking for secrecy, moving to another app, offering gifts, threats and payment demands).
import type { GroomingStage, SignalKind } from './reports.ts';

export interface LexiconRule {
  kind: SignalKind;
  stage: GroomingStage | null;
  patterns: string[];
  /** If any of these patterns occurs in the same message, the rule does not fire there. */
  unless?: string[];
}

// Ambiguous app names (Line, Session, Signal, Teams) are left out: they are everyday words.
const APPS = '(snapchat|sc|instagram|kik|telegram|whatsapp|discord|skype|wickr|viber|imessage|facetime|tiktok|facebook|wechat|threema|omegle|ometv|yubo|wizz|groupme)';
// App names that are also everyday words: only counted after a verb that moves the chat.
const AMBIGUOUS_APPS = '(signal|line|session|teams|messenger|hangouts|element)';
const PARENTS = '(parents|mom|dad|family|mother|father|step dad|stepdad|stepmom|guardian|grandma|grandpa|brother|sister|sibling|siblings)';
const PICS = '(pic|video|nudes|screenshot|screenshots|recording|recordings|chat|chats|messages|convo|conversation|stuff|everything)';
const AUDIENCE = '(all of them|them all|all your|friends|family|parents|mom|dad|school|followers|everyone|everybody|teachers|teacher|class|classmates|contacts|internet|online|relatives|coach|church|team|brother|sister|boss|college|university|principal|whole school|social media|instagram|facebook|snapchat|tiktok|twitter|reddit|group chat)';

export const LEXICON: LexiconRule[] = [
  // --- ages -----------------------------------------------------------------------------
  {
    kind: 'age_probe',
    stage: 'access',
    patterns: [
      'asl', 'how old (are you|you)', 'how old is you', 'how old (did|do) (you|u) say', 'are you (like|about|around|maybe) #age', '(whats|what is|wats|tell me|and) your age', 'your age (is|again)',
      'what grade (are you in|you in|are you)', 'what (year|grade) (are you|you) in', 'are you in (middle|high|elementary|primary|secondary) school',
      'are you (over|under|below|above) (#num|eighteen)', 'are you #age', 'when were you born', 'what year were you born',
      'are you (still)? in school', 'what school year', 'how young (are you|you)', 'are you a (minor|kid|teen|teenager)',
      'are you legal', 'is that your real age',
    ],
  },
  {
    kind: 'age_disclosure_minor', // ages below 18 land here; 18 and over become age_disclosure_adult
    stage: null,
    patterns: [
      'im #age', 'i am #age', 'im (only|just|almost|nearly|about to be) #age', 'i (just)? turned #age', 'i turn #age', 'ill be #age',
      '#age (years|year) old', '#age (yo|y o|yr old|yrs old)', '#age (f|m|male|female|girl|boy|guy)',
      'age #age', 'aged #age', 'my age is #age', 'age is #age', '#age and you', '#age wbu', '#age hbu', 'im a #age year old',
      'i am a #age year old', 'im #age too',
    ],
  },
  {
    kind: 'age_disclosure_minor', // school-age cues with no number; weaker, counted as cues
    stage: null,
    patterns: [
      'im in (#num|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth) (th|st|nd|rd)? grade', 'im in middle school',
      'im in (year|yr) #num', 'im a (freshman|sophomore) in high school', 'my (mom|dad|parents) (wont|dont|doesnt) let me',
      'i have school (tomorrow|tmrw|in the morning)', 'my (mom|dad|parents) (took|takes|take) my phone', 'im grounded',
      'my (teacher|homework|bedtime|curfew)', 'not allowed to (have|use|go)', 'im not allowed',
    ],
  },
  {
    kind: 'age_disclosure_adult',
    stage: null,
    patterns: [
      'im a grown (man|woman|up)', 'im (much|way|a lot|alot)? older than you', 'older (man|guy|woman|boyfriend|girlfriend)',
      'my (wife|husband|ex wife|ex husband|mortgage)', 'my (kids|son|daughter) (is|are)', 'im (a)? (dad|father|mom|mother) of'
    ],
  },
  // --- personal information -------------------------------------------------------------
  {
    kind: 'personal_info',
    stage: 'access',
    patterns: [
      'where do you live', 'where (are you|you) from', 'what (school|town|city|street|area) (do you|you) (go to|live in|in|live)',
      'what school', 'which school', 'what is your school', 'whats your school', '(whats|what is|send me|give me|tell me) your (address|number|phone number|location|postcode|zip code|zip|school|last name|full name|snapchat)',
      'your (home)? address', 'share your location', 'send your location', '(whats|what is) your (number|phone)',
      'do you (live|stay) (near|close to|by)', 'how far (do you live|are you) from', 'what state (are you|you) in',
      'where do you go to school', 'whats (your|ur) real name', 'are you home (now|rn|right now)?',
    ],
  },
  { kind: 'phone_number', stage: 'platform_move', patterns: ['<phone>'] },
  // --- moving off the platform -----------------------------------------------------------
  {
    kind: 'platform_move',
    stage: 'platform_move',
    patterns: [
      `(add|hmu|hit me up|follow|message|text|call|find|msg|dm) (me)? (on|at|in) ${APPS}`, `add me ~ ${APPS}`, `add me ${APPS}`,
      `(add|hmu|hit me up|message|text|msg) me on ${AMBIGUOUS_APPS}`, `(lets|can we|could we|wanna) (talk|chat|move|go|switch) (on|to|over to) ${AMBIGUOUS_APPS}`,
      `my ${APPS} (is|name|username|user|id|handle)?`, `(whats|what is|got|do you have|you have|have you got|you got|u on|are you on|you on) (your|a)? ${APPS}`,
      `(lets|we should|can we|could we|wanna|want to|lets go|move|switch|talk|chat|continue) (to|on|over to|over on) ${APPS}`,
      `${APPS} me`, `${APPS} <handle>`, `${APPS} (username|user|name|id|handle)`, 'add me <handle>', '<applink>',
      '(text|message|call|msg) me (at|on) (<phone>|this|my number)', '(give|send) me your (number|phone number|cell)',
      '(talk|chat|go) (somewhere|some place|someplace) (else|more private|private|safer)', 'more private (app|place|chat|platform)',
      'my (other|private|second|secret) account', 'on (my|a) private (account|app)',
    ],
  },
  // --- secrecy and isolation ------------------------------------------------------------
  {
    kind: 'secrecy',
    stage: 'isolation',
    patterns: [
      'dont tell (anyone|anybody|your|ur|nobody|no one|any one|ppl|people|' + PARENTS + ')', 'do not tell (anyone|anybody|your|' + PARENTS + ')',
      'dont (show|let) (your|' + PARENTS + ') (see|know|find out)?', '(this|its|it is|it will be|keep it) (our|a) (little)? secret',
      'our (little)? secret', 'keep (it|this|us|this chat|these|that) (a)? (secret|private|between us|quiet|to yourself)',
      'between (you and me|us|me and you)', 'just between', 'delete (this|these|the|our|all|all the|your|my) ~ (messages|message|chat|chats|convo|conversation|pic|texts|text|history)',
      'delete (it|this|them) (after|when|once|right after|now)', '(clear|wipe) (your|the) (chat|history|messages)',
      '(no one|nobody|noone) (needs|has|have|will|would) (to)? (know|find out|ever know)', 'they (wont|will never|never) (know|find out)',
      '(your|ur) ' + PARENTS + ' (cant|can not|wont|shouldnt|must not|mustnt|dont need to) (know|find out|see|hear)',
      'hide (this|it|our chats|the app) from', 'secret (friend|boyfriend|girlfriend|chat|account|relationship)',
      '(use|turn on) (vanish|disappearing|secret) (mode|messages|chat)', 'tell them (you are|your|youre) (at|with|staying at) (a)? (friends|friend)',
      '(the|this) (chat|app|game|site|server|platform) (here)? (is|gets|are) (watched|monitored|moderated|read|logged|checked)', 'watched by (the)? (mods|moderators|admins)',
      '(mods|moderators|admins) (can|could|might|will|are)? (see|read|watch|watching|reading|check|checking) (this|it|our|us|everything)', 'so (the)? (mods|moderators|admins) (cant|wont|dont) (see|read|find)',
      'if anyone asks', 'nobody can know', 'you cant tell', 'promise (you wont|not to|me you wont) tell', '(dont|do not) (tell|say) (anything|a word)',
    ],
    unless: ['surprise', 'birthday', 'party', 'anniversary', 'christmas', 'spoiler', 'spoilers', 'ending', 'password', 'passwords', 'recipe', 'present for', 'gift for', 'proposal'],
  },
  {
    kind: 'isolation',
    stage: 'risk_assessment',
    patterns: [
      `(are|is) (your|ur) ${PARENTS} (home|around|there|awake|asleep|out|in|at home|at work|gone|back)`, 'are you (home)? (alone|by yourself)', 'you (home)? alone',
      '(is|are) (anyone|anybody|someone|somebody) (else)? (home|around|with you|in the room|watching)', 'who (else)? is (home|there|around|with you)',
      `when (do|does|will) (your|ur) ${PARENTS} (leave|go|get|come|sleep|work)`, `(do|does|can|will) (your|ur) ${PARENTS} (check|read|look at|see|go through|monitor) (your|ur)? (phone|messages|chats|texts|computer|laptop|stuff)`,
      `(do|does) (your|ur) ${PARENTS} know`, 'do you have (your)? own (room|phone|laptop|computer)', 'are you in (your|ur) (room|bed)', '(lock|close) (your|the) door',
      'is (your|ur) door (locked|closed)', `where (are|is) (your|ur) ${PARENTS}`, 'are you allowed to', 'what time do you go to bed',
    ],
  },
  {
    kind: 'isolation',
    stage: 'isolation',
    patterns: [
      `(your|ur) ${PARENTS} (dont|do not|never|will never|wont|would never|cant) (understand|get|care about|listen to|love) (you)?`,
      '(no one|nobody|noone) (else)? (understands|gets|cares about|loves) you (like|the way) (i do|me)?', 'only i (understand|get|care about) you',
      'im the only one (who|that) (understands|gets|cares about|loves) you', '(your|ur) friends (are|r) (so)? (immature|childish|fake|jealous|boring)',
      'you dont need (them|your friends|anyone else)', 'you can trust (me|only me)', '(i am|im) (all)? you need', 'they are just jealous',
      'they (would|will|wont) (not)? understand (us|our)',
    ],
  },
  // --- trust: flattery, relationship, gifts, money ---------------------------------------
  {
    kind: 'flattery',
    stage: 'trust',
    patterns: [
      '(you are|your|youre|you r) (so|really|very|such a)? (mature|pretty|beautiful|gorgeous|cute|hot|sexy|special|perfect|stunning|smart|grown up)',
      'mature (for|4) (your|ur) age', 'you (look|seem|act|sound) (so|really)? (older|mature|grown up)', '(youre|your|you are) not like (other|the other|most) (girls|boys|kids|people)',
      '(so|really|very) (pretty|beautiful|gorgeous|cute)', '(beautiful|pretty|cute|gorgeous) (girl|boy|face|smile|eyes)', '(good|such a good|my good) (girl|boy)',
      'you (could|should) be a model', 'you have (a|such a)? (nice|great|beautiful|perfect|cute) (body|smile|eyes|face|figure)', 'you (are|r) (my)? (princess|angel|baby girl)',
      'older than you (look|seem|act)', 'such a (pretty|cute|beautiful) (girl|boy|face)',
    ],
  },
  {
    kind: 'relationship',
    stage: 'trust',
    patterns: [
      'i love you', '(be|become) my (girlfriend|boyfriend|gf|bf)', '(would|do) you (like|want) (a|an) (older)? (boyfriend|girlfriend)',
      'i (think|thought|dream|dreamed|dreamt) about you (all day|all the time|every night|constantly|a lot)?', 'i miss you', 'i (really)? miss you',
      '(are you|you) (single|dating|seeing anyone|taken)', '(have you|do you) (ever)? (had|have) a (boyfriend|girlfriend)', 'our relationship',
      'age (is|s) (just)? a number', 'age doesnt matter', 'age gap doesnt matter', '(my)? soulmate', '(im|i am) (falling|in love) (for|with) you',
      'marry you', 'you (are|r) mine', 'do you love me', 'i want you (all)? to myself', '(be|are) (my|mine) forever',
    ],
  },
  {
    kind: 'gift',
    stage: 'trust',
    patterns: [
      '(i will|ill|i can|i could|let me|i wanna|i want to|im gonna|i am going to) (buy|get|send|give|gift|pay for) (you|u) (a|an|some|new|the)? (gift card|robux|vbucks|phone|iphone|gift|present|clothes|skins|skin|nitro|credits|coins|gems|game|pass|battle pass|console|switch|xbox|ps5|money|cash|ticket|tickets|something|anything|makeup|shoes)',
      'free (robux|vbucks|skins|nitro|gift card|gems|coins|minecoins|bucks)', '(want|need) (some|free)? (robux|vbucks|nitro|gems|coins|skins|minecoins)',
      '(robux|vbucks|nitro|skins|gift card|money|cash) (for|if) (a|you|your)? ~ (pic|video|favor|favour|something)', 'i (bought|got) you (a|something|some)',
      'what (do you|would you) want (for|me to buy)', 'i can (buy|get) you (anything|whatever)', 'i have a (gift|present|surprise) for you',
    ],
  },
  {
    kind: 'money',
    stage: 'trust',
    patterns: [
      '(i will|ill|i can|i could|let me) (send|give|pay|transfer) (you|u) (some money|money|cash|the money|#num dollars|#num bucks|#num pounds)', '(do you|you) have (paypal|venmo|cashapp|zelle|a bank account|crypto)',
      '(whats|what is|send me|give me) your (paypal|venmo|cashapp|zelle|bank details|card number)', 'i (will|can) pay (you|u)', 'easy money',
    ],
  },
  // --- images, meeting, sexualisation -------------------------------------------------------
  {
    kind: 'image_request',
    stage: 'sexualisation',
    patterns: [
      'send (me)? (a|an|some|your|ur|more|another|one|the)? (new|cute|full body|body|private|special|secret)? pic', '(can|could|may) i (see|get|have) (a|your|ur|some|another|more)? pic',
      '(show|send) me (yourself|what you look like)', '(pic|video) of (you|yourself|your|ur)', '(turn|switch|put) on (your|ur|the)? cam',
      '(get|go|come|hop) on (cam|video)', '(video|face) (call|chat) (me|with me)', '(lets|can we|wanna) (video|face) (call|chat)', 'facetime me', '(do you have|got|have you got) (a)? cam',
      '(wanna|want to|i want to|let me|i wanna) see (you|u|what you look like|more)', 'show me (yourself|more)', '(take|send) (a)? pic (for|of) me',
      'send (me)? (a)? video', '(send|trade|swap|exchange) (nudes|pic)', 'nudes', 'pic for pic', 'your turn to send',
    ],
  },
  {
    kind: 'meeting',
    stage: 'meeting',
    patterns: [
      '(lets|we should|we could|wanna|want to|can we|could we|i want to|i wanna|id like to|i would like to|when can we|when will we) (meet|meet up|hang out|see each other) (irl|in person|in real life|sometime|this weekend|tomorrow|today|tonight)?',
      'meet (me|you|up) (at|in|after|near|irl|in person|somewhere|tonight|tomorrow|this weekend)', '(pick|picking) you up', 'come (over|to my) (place|house|car|apartment|hotel)?',
      '(i can|ill|i will|let me|i could) (come|drive|travel|fly) (to|over|down|up)? (see|get|meet) (you|u)?', 'where can we meet', '(sneak|slip) out',
      'meet irl', 'where (do|should) we meet', 'ill (wait|be) (for you)? (at|outside|near) (the|your|ur)',
    ],
  },
  {
    kind: 'sexualisation',
    stage: 'sexualisation',
    patterns: [
      'are you (still)? a virgin', '(have you|ever) (ever)? (been)? kissed', '(have you|ever) (ever)? kissed (a|anyone|someone)', 'what (are you|you) wearing',
      '(do|did) you sleep (naked|in your underwear)', '(in|out of) the shower', 'in (your|ur) (underwear|bra|pajamas|pjs|bikini)', '(your|ur) (bra|underwear|panties|lingerie|bikini)',
      '(sexy|hot) (pic|body|video|girl|boy)', 'sexy', 'naked', 'sex', '<sexemoji>', 'touch (yourself|you)', '(make|made) (you|u) feel good',
      '(turn|turned|turns) (me|you) on', '(do|did|would) you (like|want) to (kiss|cuddle)', '(wanna|want to|i want to|i wanna) kiss you', 'cuddle (with)? (you|me)', '(sit|sitting) on my lap',
      '(have you|did you) (started|start|get|got) (your)? (period|puberty)', '(do|did) you shave', 'bra size',
      '(have you|ever) (ever)? (done|had) sex', 'teach you (things|stuff|everything) about', 'our (little|secret) game',
    ],
  },
  // --- sextortion script -------------------------------------------------------------------
  {
    kind: 'sextortion_leverage',
    stage: 'sextortion',
    patterns: [
      `i (have|got|kept|saved) (all|all of)? (your|ur|those|these|our) ${PICS}`, 'i (recorded|screenshotted|screenshot|screen recorded|captured|filmed) (you|our|your|ur|everything|it all)',
      `(your|ur) ${PICS} (are|is) (on|in|saved on|saved in) my (phone|computer|laptop|drive|cloud)`, 'i know (where you live|your school|your address|who your (parents|friends|family) are)',
      `i (have|got) (all)? (your|ur) (followers|friends|contacts|family|friend list|followers list|contact list)`, 'i (hacked|have access to) (your|ur) (account|phone)',
      'i made a (collage|compilation|video) of you', 'i have (screenshots|proof) of', 'look what i have of you',
    ],
  },
  {
    kind: 'sextortion_threat',
    stage: 'sextortion',
    patterns: [
      `(i will|ill|im going to|im gonna|gonna|i am going to|i can|i could|i'll) (send|post|share|leak|upload|expose|show|forward|release|spread) ~ (to|with|on|all over)? ~ ${AUDIENCE}`,
      `(i will|ill|im going to|im gonna|gonna|i am going to) (send|post|share|leak|upload|forward|release|spread) (them|these|everything|your|ur) (pic|video|nudes|everywhere|online|to)`,
      `(or|and|then|if not|otherwise) i (send|post|share|leak|upload|expose|show|forward|release|spread) ~ ${AUDIENCE}`,
      `i (send|post|share|leak|upload|forward|release|spread) (them|it|these|this|everything|your|ur) (to|with|on) ~ ${AUDIENCE}`,
      `(everyone|all your friends|your friends|your family|your parents|the whole school) (will|is going to|gonna|are going to|would) (see|know|find out)`,
      '(ruin|destroy) (your|ur) (life|reputation|future)', '(expose|leak) you', 'or else (i|ill)', 'you will regret (this|it)',
      'make (your|ur) life (hell|miserable)', 'if you (block|ignore|report) me', 'if you tell (anyone|someone|your)', '(dont|do not) (ignore|block|report) me',
      'its going (online|public|everywhere)', 'i will make (it|them|these) (public|viral)', 'i (will|can) find you',
    ],
  },
  {
    kind: 'sextortion_payment',
    stage: 'sextortion',
    patterns: [
      '(send|pay|give|transfer|wire) (me)? (#num|money|cash|the money|(a|an)? gift card|bitcoin|crypto|robux|vbucks|now)', 'pay (me)? (now|up|right now|immediately)',
      '(how much|what) (can|will|could) you pay', '(cashapp|paypal|venmo|zelle|crypto|gift card|western union|moneygram|wire) (me|now|to|it)',
      '(buy|get) (me)? (a|an)? (steam|apple|amazon|google play|itunes|gift|visa|razer|xbox|playstation|roblox) (gift)? card', 'i want (#num|money|cash|dollars|the money)',
      '#num (dollars|bucks|usd|pounds|gbp|euros|eur)', 'i need (the money|money) (now|today|tonight|right now)',
      '(send|give) (me the code|me the card)', 'if you pay', 'you (have to pay|need to pay|must pay)', 'pay (or|and) i',
    ],
    unless: ['pay me back', 'pay you back', 'paid you back', 'paid me back', 'owe', 'owes', 'split the', 'for lunch', 'for dinner', 'for the tickets', 'for rent', 'for pizza', 'for gas', 'refund', 'invoice', 'salary', 'tip'],
  },
  {
    kind: 'sextortion_deadline',
    stage: 'sextortion',
    patterns: [
      'you have (#num|one|two|five|ten) (minutes|hours|seconds)', '(you|u) got (#num|one|two|five|ten) (minutes|hours)', '(before|by) (midnight|tonight)',
      '(time is|times) (running out|ticking)', 'clock is ticking', 'last (chance|warning)', '#num (minutes|hours) left', '(right now|now) or i',
      'tick tock', '(hurry|quick) (up)? (or|before)',
    ],
  },
  // --- the child's distress ----------------------------------------------------------------
  {
    kind: 'distress',
    stage: null,
    patterns: [
      '(please|pls) (dont|do not) (send|post|share|show|tell|do this|do that)', '(please|pls) delete (it|them|that)', '(im|i am|i feel) (so|really)? (scared|terrified)', '(im|i am) (so|really) afraid', 'i dont have (any)? money',
      'i (cant|can not|dont have the money to) pay', '(i will|ill) do (anything|whatever you want)', 'i want to (die|kill myself|disappear)', 'i (cant|can not) breathe',
      'please leave me alone', 'im (only|just) a kid', 'youre scaring me', 'you are scaring me', 'stop messaging me',
    ],
  },
];
