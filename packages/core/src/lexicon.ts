// The signal lexicon: rules as data. Each rule names a signal kind, the grooming stage it
// evidences, and phrase patterns in a small language that signals.ts compiles and checks:
//
//   word          a word, normalised the same way as messages ("ur" = "your", "good" = "god")
//   (a|b c)       alternatives, each one or more words;  (…)? makes the group optional
//   #age          a number from 5 to 99, captured as an age
//   #num          any number
//   *             exactly one word of any kind
//   ~             a gap of zero to three words
//   @class        any entry of a word class in WORD_CLASSES (entries may use the language too)
//   #ukyear #usgrade #birthyear   a UK school year, a US grade or a birth year: an age, read indirectly
//
// Script steps are written as slots of word classes (capture verb × media, exposure verb ×
// audience, conditional framing, amount × payment app, duration) rather than as ever longer
// phrase lists, so a wording never seen before still fills the slots.
// Cue lists are deliberately non-explicit: they describe behaviours (asking a child's age,
// asking for secrecy, moving to another app, offering gifts, threats and payment demands).
import type { GroomingStage, SignalKind } from './reports.ts';

export interface LexiconRule {
  kind: SignalKind;
  stage: GroomingStage | null;
  patterns: string[];
  /** If any of these patterns occurs in the same message, the rule does not fire there. */
  unless?: string[];
  /** The age every pattern of the rule states ("im a freshman": 14), for age rules without a number. */
  age?: number;
}

// Ambiguous app names (Line, Session, Signal, Teams) are left out: they are everyday words.
const APPS = '(snapchat|sc|instagram|kik|telegram|whatsapp|discord|skype|wickr|viber|imessage|facetime|tiktok|facebook|wechat|threema|omegle|ometv|yubo|wizz|groupme)';
// App names that are also everyday words: only counted after a verb that moves the chat.
const AMBIGUOUS_APPS = '(signal|line|session|teams|messenger|hangouts|element)';
const PARENTS = '(parents|mom|dad|family|mother|father|step dad|stepdad|stepmom|guardian|grandma|grandpa|brother|sister|sibling|siblings)';
const PICS = '(pic|video|nudes|screenshot|screenshots|recording|recordings|chat|chats|messages|convo|conversation|stuff|everything)';
const AUDIENCE = '(all of them|them all|all your|friends|family|parents|mom|dad|school|followers|everyone|everybody|teachers|teacher|class|classmates|contacts|internet|online|relatives|coach|church|team|brother|sister|boss|college|university|principal|whole school|social media|instagram|facebook|snapchat|tiktok|twitter|reddit|group chat)';

/** Word classes the patterns share. Entries are normalised like messages ("mum" = "mom"). */
export const WORD_CLASSES: Record<string, string[]> = {
  app: ['snapchat', 'sc', 'instagram', 'kik', 'telegram', 'tele', 'whatsapp', 'whats app', 'discord', 'skype', 'wickr', 'viber', 'imessage', 'facetime', 'tiktok', 'facebook', 'wechat', 'threema', 'omegle', 'ometv', 'yubo', 'wizz', 'groupme', 'the yellow app', 'the ghost app'],
  parent: ['parents', 'mom', 'dad', 'family', 'mother', 'father', 'step dad', 'stepdad', 'stepmom', 'guardian', 'grandma', 'grandpa', 'nan', 'nana', 'aunt', 'auntie', 'uncle'],
  /** Pictures and recordings of the child, as offenders name them. */
  media: ['pic', 'video', 'nudes', 'screenshot', 'screenshots', 'recording', 'recordings', 'screen recording', 'clip', 'clips', 'what you sent', 'what u sent', 'what you showed'],
  /** Capture and possession of what the child sent. */
  capture: ['screenshotted', 'screenshoted', 'screenshot', 'screenshots', 'ss', 'ssd', 'screen recorded', 'screenrecorded', 'screen record', 'recorded', 'record', 'saved', 'captured', 'filmed', 'downloaded', 'kept'],
  /** Ways to expose something to other people. */
  share: ['send', 'sending', 'sent', 'post', 'posting', 'share', 'sharing', 'leak', 'leaking', 'upload', 'expose', 'show', 'forward', 'release', 'spread', 'drop', 'dropping', 'dm', 'tag', 'airdrop', 'put'],
  /** People and places a threat names. */
  audience: ['all of them', 'them all', 'all your', 'friends', 'friend', 'mates', 'family', '@parent', 'sister', 'brother', 'bro', 'sis', 'cousin', 'cousins', 'school', 'whole school', 'followers', 'following', 'following list', 'followers list', 'friends list', 'friend list', 'everyone', 'everybody', 'every one', 'evry1', 'teachers', 'teacher', 'class', 'classmates', 'contacts', 'internet', 'online', 'relatives', 'coach', 'church', 'team', 'teammates', 'squad', 'boss', 'college', 'university', 'principal', 'social media', 'instagram', 'facebook', 'snapchat', 'tiktok', 'twitter', 'reddit', 'group chat', 'gc', 'server', 'story', 'your story', 'everyones story'],
  /** What the audience will do. */
  see: ['see', 'sees', 'seeing', 'know', 'knows', 'get it', 'gets it', 'get them', 'receive', 'find out', 'watch', 'watches', 'hear'],
  /** The conditional framing of a threat or demand. */
  conditional: ['or', 'or else', 'unless', 'otherwise', 'if not', 'else', 'if you dont', 'if you do not', 'if you block', 'if you ignore', 'if you report', 'if you leave', 'block me and', 'ignore me and', 'report me and', 'leave and', 'no money and', 'no pay and'],
  /** An amount of money. */
  amount: ['<cur> #num', '#num <cur>', '#num (dollars|dollar|bucks|usd|pounds|quid|gbp|euros|euro|eur|rupees|naira|pesos|k)', '#num (vbucks|robux|nitro|gems|coins|minecoins)'],
  payapp: ['cashapp', 'cash app', 'paypal', 'venmo', 'zelle', 'apple pay', 'google pay', 'gpay', 'revolut', 'crypto', 'western union', 'moneygram', 'wise', 'monzo', 'chime', 'gcash', 'bank transfer', 'skrill'],
  giftcard: ['(steam|apple|amazon|google play|itunes|visa|razer|xbox|playstation|psn|roblox|ebay|fortnite|vbucks|robux)? (gift)? (card|cards)', 'gift card', 'card code', 'the code', 'codes'],
  /** Praise words of compliments. */
  praise: ['amazing', 'beautiful', 'gorgeous', 'pretty', 'cute', 'perfect', 'stunning', 'incredible', 'insane', 'unreal', 'so good', 'talented', 'fire', 'goals', 'adorable', 'lovely', 'angelic', 'flawless', 'unreal'],
  /** A length of time, as in a deadline. */
  duration: ['#num (minutes|seconds|sec|secs|hours)', '(one|two|three|five|ten|fifteen|twenty|thirty) (minutes|hours|seconds)', 'an hour', 'half an hour', 'a minute', 'one minute'],
};

export const LEXICON: LexiconRule[] = [
  // --- ages -----------------------------------------------------------------------------
  {
    kind: 'age_probe',
    stage: 'access',
    patterns: [
      'what (year|your) (are you|you) in', '(you|u) (must be|gotta be|have to be) (like|around|about)? #age', 'which (year|grade) (are you|you)', '(are you|you) (a)? (freshman|sophomore) (in high school)?', 'how old (are you|you) (btw|tho|though|again|exactly)', 'you (look|sound|seem) young', 'what age (are you|you)',
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
      'im #age', 'i am #age', 'am #age (years|yrs|yo|year|yr)', '(jk|actually|honestly|tbh|ngl|truth is|to be honest) (im|i am) #age', 'im (only|just|almost|nearly|about to be) #age', 'i (just)? turned #age', 'i turn #age', 'ill be #age',
      '#age (years|year) old', '#age (yo|y o|yr old|yrs old)', '#age (f|m|male|female|girl|boy|guy)',
      'age #age', 'aged #age', 'my age is #age', 'age is #age', '#age and you', '#age wbu', '#age hbu', 'im a #age year old',
      'i am a #age year old', 'im #age too',
    ],
  },
  {
    kind: 'age_disclosure_minor', // school-age cues with no number; weaker, counted as cues
    stage: null,
    patterns: [
      'im in (first|second|third|fourth|fifth) grade', '(my|ma) @parent (is|are|r|s) (at work|out|away|asleep|so strict|always)', '(my|ma) @parent (make|makes|wont let|dont let|doesnt let|grounded|took|takes) (me)?', 'treat me like (a kid|a baby|im #num)', 'school (dance|trip|disco|bus)', '(my|ma) (form tutor|head of year|school bus|school uniform|recess|lunch break)', 'my (mom|dad|parents) (wont|dont|doesnt) let me',
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
      '(your|ur) * (is|are|r|s|look|looks) (so|really|rly|actually|lowkey|literally|honestly|sooo)? @praise', '(you are|your|youre|you r) (so|really|rly|actually|lowkey|literally)? (talented|amazing|gorgeous|stunning|adorable)',
      '(you|u) (look|looked) (so|really)? (good|amazing|beautiful|cute|pretty|stunning) (in)?',
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
  // --- indirect ages: school years, grades, birth years ----------------------------------
  {
    kind: 'age_disclosure_minor',
    stage: null,
    patterns: [
      '(im|i am|im in|i am in|in) (year|your) #ukyear', 'year #ukyear (now|rn|lol|haha|at|in)', '(your|year) #ukyear (and|u|you|wbu|hbu)',
      '(im|i am|im in|i am in|in) (the)? #usgrade (th|st|nd|rd) (grade)?', '#usgrade (th|st|nd|rd) (grade|grader)', '(im|i am) (in)? grade #usgrade',
      '(im|i am|im in|i am in) (a)? (grade|year) #usgrade (student)?', '#usgrade (th|st|nd|rd) grade (so|and|now)',
      '(born in|born) #birthyear', '(im|i am) (a)? #birthyear (baby|kid)', '#birthyear (baby|kid)',
    ],
  },
  { kind: 'age_disclosure_minor', stage: null, age: 14, patterns: ['(im|i am) (a)? freshman (in high school|this year)?', 'freshman year (of high school)?'] },
  { kind: 'age_disclosure_minor', stage: null, age: 15, patterns: ['(im|i am) (a)? sophomore (in high school)?'] },
  { kind: 'age_disclosure_minor', stage: null, age: 12, patterns: ['(im|i am) (in)? (middle school|primary school|elementary school|junior high)'] },
  // --- the other named as a child ---------------------------------------------------------
  {
    kind: 'age_attributed',
    stage: 'access',
    patterns: [
      '(you are|your|youre|you r) (only|just|like|about|still|really|literally)? #age (right|rite|tho|though|lol|and|so|but|yet|years|year|yo)',
      '(mature|smart|pretty|cute|tall|good|gorgeous|advanced|grown up|beautiful|talented) for (a)? #age', '(since|cause|because|coz) (you are|your|youre) (only|just)? #age', 'at (your|ur) age',
      '(you are|your|youre) (so|too|still|very|really)? young', '(you are|your|youre) (just|only|still) a (kid|child|baby|little girl|little boy|teen|teenager|minor)',
      '(when|once|until|till|before) (you are|your|youre|you turn) (older|eighteen|#age|legal|grown)', 'jailbait', 'barely legal',
      '(your|ur) (mom|dad|parents) (let|lets|allow|allows) (you|u)', '(after|before) school (tomorrow|today|tmrw)?', '(your|ur) (homework|teacher|teachers|bedtime|curfew|class)',
      '(little|young) (girl|boy|lady|man) (like you)?', '(im|i am) not like (other|most|the other) (adults|grown ups|coaches|teachers|parents|old people)', 'what time do (your|ur) @parent (make|let) (you|u)', '(rest of|top of|ahead of|in) (year|your) #ukyear', '(rest of|top of|ahead of) (the)? #usgrade (th|st|nd|rd) (grade|graders)', '(your|ur) (school|uniform|form|school jumper|school bag)', 'school (tomorrow|tmrw|in the morning)', 'do (your|ur) (mom|dad|parents) (know|care|mind)',
    ],
  },
  // --- age lies ---------------------------------------------------------------------------
  {
    kind: 'age_lie',
    stage: 'trust',
    patterns: [
      'i (lied|lie|was lying|wasnt honest|fibbed) (about|on) (my|the) age', 'i (said|told you|put) #age (but|bc|because|cause|coz|on)', '(im|i am) not (actually|really|rly|rlly)? #age', '(im|i am) (actually|really)? #age (not|nt) #age', '(im|i am) (a lot|way|much|a bit|a little)? older than (i said|that|i told you)',
      '(im|i am) (actually|really|rly) (#age|older|an adult|a bit older|a little older)', 'i (just)? said #age (because|cause|coz|so)', 'age on (my|the) profile (is|isnt) (fake|not real|wrong)',
    ],
  },
  // --- sextortion, as slots of word classes -------------------------------------------------
  {
    kind: 'sextortion_leverage',
    stage: 'sextortion',
    patterns: [
      'i (just|already|lowkey)? @capture (it|that|this|them|those|these|everything|all|all of it|you|your|ur|the|what|our|every)', '@capture (it|that|this|them) (all|already|lol|haha|lmao|from)',
      '(got|have|its|it is|already|all) (it|them)? (saved|screenshotted|screenshoted|recorded|screen recorded)', '(those|these|your|ur) @media (you|u) (sent|send|gave|showed|shared)',
      'i (have|got|found|see|saw|know) ~ (your|ur) (followers|following|following list|followers list|friends list|friend list|contacts|family|school|sister|brother|mom|dad|parents|team|coach|instagram|facebook|address|bio)',
      'i got (everybody|everyone|all of them|them all)', 'i (still)? (have|got|kept) (the|that|those)? (one|ones|stuff|pic|video) (you|u) (sent|gave|showed)', 'i (know|found) (your|ur|where you) (school|live|address|family|mom|dad)',
    ],
  },
  {
    kind: 'sextortion_threat',
    stage: 'sextortion',
    patterns: [
      '@conditional ~ (your|ur|the)? (whole)? @audience ~ (@see|@share|get|gets|goes)', '@conditional ~ (i|ill|it|its|they|this|these|them|everything) ~ (@share|goes|go|gets|going|get) ~ (to|on|in|out|online|public|everywhere|viral|first)',
      '@conditional (i|ill|i will|im gonna|imma) (post|leak|expose|release|spread|drop|publish) (it|them|this|you|everything|ur|your)',
      '@share ~ (it|them|this|these|that|everything|your|ur|the|all|pic|video) ~ (to|with|on|in|all over|across) ~ (your|ur|the|every|all)? (whole)? @audience',
      '(goes|gets|going) (out|online|public|viral|everywhere)', '(goes|going|gets sent|get sent) (to|on|in) (your|ur|the|every|all)? (whole)? ~ @audience',
      'then (your|ur) (whole)? @audience (will|is going to|gonna|would|is gonna)? (@see|gets|get)', 'no (answer|reply|money|pay|payment) (=|and|then|means)? (i|it) ~ (post|send|goes|leak|share)',
      '(block|ignore|report|unadd|unfriend) me and ~ (it|i|everyone|everybody|they|@audience)', 'i (will|can|could|go|gonna)? (make|send) (it|this|you|your|ur) (go)? (viral|trending)',
      '(your|ur) (whole)? @audience (will|is going to|gonna|are going to|would|is gonna) (@see|know|find out|get it|receive)',
    ],
  },
  {
    kind: 'sextortion_payment',
    stage: 'sextortion',
    patterns: [
      '(send|pay|give|transfer|wire) (me)? @amount', '@amount (on|to|via|through|by|in|with) (my)? (@payapp|@giftcard)', '(pay|send) (me)? (on|via|by|through|with|to) @payapp',
      '@amount (@giftcard|gift card)', '(send|give) (me)? (the)? (code|codes|card code|gift card code)', '(buy|get) (me)? (a|an)? @giftcard', '(your|ur) @parent (card|credit card|debit card)',
      'send (what|wat) (you|u) (have|got)', 'send (the|that)? #num (now|first|and)', '(i want|i need|i want my) @amount', '@amount (now|right now|or|and|tonight|today|first|by)',
      'pay (me)? (now|up|right now|immediately)', '@payapp (me|now|to|it|asap)', '(kindly|pls|please) (send|pay|transfer) ~ (money|@amount|code|card|@payapp)',
    ],
    unless: ['pay me back', 'pay you back', 'paid you back', 'paid me back', 'owe', 'owes', 'split the', 'for lunch', 'for dinner', 'for the tickets', 'for rent', 'for pizza', 'for gas', 'refund', 'invoice', 'salary', 'tip'],
  },
  {
    kind: 'sextortion_deadline',
    stage: 'sextortion',
    patterns: [
      'you (have|got|get) @duration', '(you|u) (have|got) (til|till|until|untill) #num', '(by|before) (morning|tonight|midnight)', '@duration (left|or|to pay|before|from now|to send|starting now|go)', '(by|before) #num (pm|am|oclock|tonight)', '(within|in the next) @duration',
      '(by|before) (tonight|midnight|tomorrow|morning|end of (the)? day|school)', '(clock|time) (is|s) (ticking|running|running out)', '<deadline>',
    ],
  },
  // --- sexualised talk toward a child: indicator terms and short phrases only -------------
  {
    kind: 'sexualisation',
    stage: 'sexualisation',
    patterns: [
      'what (are you|you|r you) (wearing|wearin|in)', 'wearing (anything|nothing|underwear|pjs|pajamas)', '(take|taking|took|get|got) (off|of) (your|ur|the|those)? (clothes|shirt|top|pants|jeans|bra|dress|hoodie|skirt|shorts|socks)',
      'undress', 'undressed', 'strip', 'get (naked|undressed|changed) (for me)?', '(show|send) me (your|ur) (body|legs|chest|belly|stomach|tummy|bum|butt|booty|thighs|feet)', '(your|ur) body',
      'body (pic|check|shot)', '(in|just in) (your|ur|a) (towel|bathrobe|robe|swimsuit|nightie)', '(are you|you|r you) (in|still in) bed', 'in bed (right now|now|yet|alone)', '(after|before|in) (your|ur|the) (shower|bath)',
      '(have you|you|u) (ever)? (kissed|been kissed|made out|french kissed)', '(ever|you ever|u ever) (kissed|made out)', 'make out', 'making out', 'first kiss', '(wanna|want to|i want to|i wanna|id) (kiss|cuddle|hold) (you|u)',
      'how far (have you|you) (gone|been)', '(are you|r you|you) (a)? virgin', 'virgin', 'horny', 'naughty', 'kinky', 'orgasm', 'masturbate', 'masturbating', 'porn', 'turned on', 'turn me on', 'aroused',
      'lingerie', 'thong', 'panties', 'boobs', 'tits', 'penis', 'vagina', 'blowjob', 'condom', 'condoms', 'play with yourself', 'touch yourself', 'touching yourself', 'do you touch',
      '(lift|pull) (up|down)? (your|ur) (shirt|top|skirt|dress)', 'turn around for me', '(just|only) (for|4) me (ok|baby|babe)?', 'something (just|only) for me', 'our (little)? (secret)? game',
      '(do you|you) like (older|grown|mature) (men|guys|women|girls)', '(you|u) (look|looking|r|are) (so|really|rly)? (hot|sexy)', 'what do you (sleep|wear) (in|to bed)', 'do you sleep (naked|in)', '(you|u) (look|r|are) (so)? (sexy|hot|fit) (in|for)',
    ],
  },
  // --- more of the grooming script ----------------------------------------------------------
  {
    kind: 'secrecy',
    stage: 'isolation',
    patterns: [
      '(she|he|they|your @parent|ur @parent) (doesnt|dont|does not|do not|doesnt need|dont need) (have)? (to)? (know|find out)', '(dont|do not|never) (mention|say) (it|this|anything|that) (to)? (your|ur) @parent', '(i|ill) (wont|will not|wont ever) tell', 'no need to (tell|bother|ask) (her|him|them|your|ur|@parent)',
      'just ours', 'our (little)? thing', 'dont (post|say|mention|share) (that|it|this)? (we talk|we are talking|about us|about me)', '(dont|do not|never) (say|mention) (other apps|my name|it in chat)',
      'tell (her|him|them|your @parent|ur @parent) (you are|your|youre|ur) (at|with|staying|sleeping) (a|your|ur)? (friends|friend|mates)',
      '(i will|ill|i can|i could) delete (it|them|this) (after|right after|straight after)', '(delete|clear|wipe) (this|the|our|it) (convo|chat|chats|messages|texts|after)', 'turn on (the)? (passcode|disappearing|vanish)',
    ],
    unless: ['surprise', 'birthday', 'party', 'anniversary', 'christmas', 'spoiler', 'spoilers', 'password', 'present for', 'gift for', 'proposal'],
  },
  {
    kind: 'isolation',
    stage: 'risk_assessment',
    patterns: [
      '(go|get) (to|in|2) (your|ur) room', '(are you|you) (in)? (your|ur) room', '(your|ur) (door|room) (locked|closed|shut)', '(anyone|anybody|someone) (else)? (in|near) (the|your|ur) room',
      '(do|does|can|will) (your|ur) @parent (check|read|look at|see|go through|monitor) (your|ur)? (phone|messages|chats|texts|snap|snapchat|instagram|stuff)', 'who (else)? (checks|reads|sees) (your|ur) (phone|messages)',
      '(are|is) (your|ur) @parent (strict|asleep|out|away|working|home)', '(are you|you|r u) (at)? home alone', '(your|ur) @parent (check|checks|read|reads|look at|looks at|go through|goes through) (your|ur) (phone|message|messages|instagram|snapchat|dms|texts|chats)', '(your|ur) @parent (dont|doesnt|do not|does not|never|wont) (check|read|look at|see|go through)', 'when (do|does) (your|ur) @parent (get home|leave|go out|go to sleep)',
    ],
  },
  {
    kind: 'isolation',
    stage: 'isolation',
    patterns: [
      '(they|@parent|your @parent|ur @parent) (dont|do not|never|wont|would not|wouldnt) (get|understand) (you|u|us|it|this) (like i do)?', '(i|only i) (get|understand) (you|u) (better|more) (than)? (them|they|anyone)?',
      '(you can|u can) (tell|talk to) me (anything|about anything)', '(you|u) dont need (her|him|them|your @parent|ur @parent)', '(you|u) (have|got|still have) me', '(your|ur) @parent (sounds|is|seems|are|r) (so)? (toxic|crazy|annoying|mean|controlling|strict|horrible)', '(im|i am) (the only one|your only) (who|that)?', '(you are|your|youre) (more|so much more) mature than', 'mature for (your|ur) age',
    ],
  },
  {
    kind: 'platform_move',
    stage: 'platform_move',
    patterns: [
      '(talk|chat|move|go|continue|play|vc|call|game|text) (on|to|over to|in) (another|a different|an other|a diff|a new|other|a private) (app|platform|site)', '(wanna|want to|lets|we should|can we|could we) (play|vc|call|game|talk|chat|facetime) (on|in|over) @app',
      '(you|u) (use|got|on) @app', 'add (me|my) (on)? @app', '(my|mine) @app (is|its)?', '(you|u) (on|got|have) @app', '(search|find|look up|add) (me|for me)? (on|in)? (@app)? <handle>', '(yellow|ghost) app',
      '(talk|chat|continue|move) (on|to|over on|over to|in) (the)? @app', '@app (is|s) (easier|better|safer|more private)', 'app (deletes|doesnt save|is watched|glitches|is boring)',
    ],
  },
  {
    kind: 'image_request',
    stage: 'sexualisation',
    patterns: [
      '(send|show) (me)? (one|something|1) back', 'send us (a|an|your|ur)? (pic|video|selfie)', '(ur|your) turn (to send|to show|now)', '(i showed|showed) (you|u) mine', 'face pic', '(send|get) (a|me a)? (face|body|full body|mirror) pic',
      'pic for (verification|verify|proof)', 'show me (urs|yours)', 'send (me)? (something|smth|more|it) (back|now|first)', 'trade (pic|pics|something)', 'send one (to)? (prove|show)',
    ],
  },
  {
    kind: 'meeting',
    stage: 'meeting',
    patterns: [
      '(ill|i will|i can|i could) (park|wait|be) (down the street|around the corner|outside|nearby|near)', '(just|only) (us|the two of us|you and me) (no one else)?', 'come (to|round|over to) (my|the) (place|house|car|hotel|flat)',
      '(i can|ill|i will|i could) (pick|grab|collect) (you|u) (up)?', '(drive|take) (you|u) (home|somewhere)', '(wanna|lets|we should|can we|we could) (link|link up|linkup) (irl|sometime|this weekend|tomorrow|after school|saturday|sat)?', 'come (to|round to|over to) (yours|your house|ur house|your place|ur place)', 'come (get|collect|pick up) (it|them|your|ur)', '(take|get|catch) (the|a)? (bus|train) (to|down to|up to) (your|ur) (city|town|place|area)', '(just|only) (you|u) (tho|though|alone|and me)', '(meet|come) ~ alone', '(meet|see) (you|u) (alone|by yourself)',
    ],
  },
  {
    kind: 'gift',
    stage: 'trust',
    patterns: [
      '(i can|ill|i will|i could) (give|gift|send|get) (you|u)? (op|admin|mod|staff|vip|rank|a rank|free stuff|skins|robux|vbucks|nitro|coins|gems)', 'pay (you|u) (in|with) (gift cards|robux|vbucks|money|cash)',
      '(i|ill) (buy|get) (it|that|them) for (you|u)', 'for free (if|when)',
    ],
  },
  // --- fake modelling and talent offers ------------------------------------------------------
  {
    kind: 'gift',
    stage: 'trust',
    patterns: [
      '(im|i am|i work as) (a|an)? (photographer|model scout|scout|talent scout|agent|talent agent|modelling agent|modeling agent|casting director|model agent)', '(photo shoot|photoshoot|modelling contract|modeling contract|modelling job|modeling job|paid shoot|brand deal)',
      '(paid|pay you|get paid|earn) ~ (for)? (a|the|some)? (shoot|photos|pic|modelling|modeling)', '(you|u) (could|should|would) (be|make) (a)? (model|influencer|star|famous)',
    ],
  },
  {
    kind: 'image_request',
    stage: 'sexualisation',
    patterns: [
      '(full body|no makeup|natural|bikini|swimsuit|mirror|casual) (pic|shots|shot|look)', 'send (me)? (some|a few|more|a couple) (more)? (pic|shots)', '(portfolio|test) (pic|shots)', 'pic for pic',
    ],
  },
];
