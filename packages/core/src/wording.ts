// Offender wording: a linear model over the words and word pairs of a message that scores how
// much it reads like an offender's message rather than ordinary or hard-benign chat. It is learned
// (wording-train.ts) from conversations written by many independent writers, so it covers wording
// the lexicon has no phrase for. It never raises a conversation on its own: the conversation
// model reads it only for a suspect who already carries a grooming or sextortion signal.
import { z } from 'zod';
import { WORD_TABLE_ENTRIES, type TokenStream } from './normalize.ts';
import { zodProblems } from './problems.ts';

export interface WordingModel {
  version: 1;
  /** A name for the audit trail. */
  id?: string;
  /** Logit of a message with none of the terms. */
  bias: number;
  /** Weight per term: a canonical token ("alone") or two adjacent tokens joined by a space ("ur mum"). */
  terms: Record<string, number>;
  trainedOn?: { messages: number; offenderMessages: number; writers: string[]; at: string };
}

/** How many of a participant's highest-scoring messages make up their wording score. */
export const WORDING_TOP = 3;

/** One of a participant's most offender-like messages, quoted for the explanation. */
export interface WordingQuote {
  messageId: string;
  /** Event time (ms), so that retention can blank the excerpt as it does evidence. */
  time: number;
  excerpt: string;
  /** Set when retention removed the excerpt (now ''). */
  textRemoved?: true;
}

/** The wording a participant keeps: their top logits, highest first, and those messages' quotes. */
export interface WordingHolder {
  wordingTop: Float32Array | null;
  wordingQuotes: WordingQuote[] | null;
}

const EXCERPT_CHARS = 80;

/** Keeps a message among the holder's top wording logits if it belongs there; true when they changed. */
export function keepTopWording(
  holder: WordingHolder,
  logit: number,
  text: string,
  messageId: string,
  time: number,
): boolean {
  const top = (holder.wordingTop ??= new Float32Array(WORDING_TOP));
  const quotes = (holder.wordingQuotes ??= []);
  if (logit <= (top[WORDING_TOP - 1] as number)) return false;
  let i = WORDING_TOP - 1;
  while (i > 0 && logit > (top[i - 1] as number)) {
    top[i] = top[i - 1] as number;
    i--;
  }
  top[i] = logit;
  const excerpt = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1)}…` : text;
  quotes.splice(i, 0, { messageId, time, excerpt });
  if (quotes.length > WORDING_TOP) quotes.length = WORDING_TOP;
  return true;
}

const UNSET = -1;

/**
 * Scores messages with a wording model. Term weights are memoised by the tokenizer's word-table
 * entry, so a message costs an array read per token, plus a map lookup for the rare token that
 * starts a weighted pair.
 */
export class WordingScorer {
  readonly bias: number;
  private readonly unigrams = new Map<string, number>();
  private readonly pairs = new Map<string, Map<string, number>>();
  /** Words that end some pair: a pair is looked up only when the next word is one of them. */
  private readonly seconds = new Set<string>();
  private memoEpoch = -1;
  /** Per word-table entry: its unigram weight (valid once memoPairs is set). */
  private readonly memoWeight = new Float64Array(WORD_TABLE_ENTRIES);
  /** Per word-table entry: index into pairTables + 1, 0 when the word starts no pair, UNSET when unknown. */
  private readonly memoPairs = new Int32Array(WORD_TABLE_ENTRIES);
  /** Per word-table entry: 1 when the word ends some pair, 0 when not, UNSET when unknown. */
  private readonly memoSecond = new Int8Array(WORD_TABLE_ENTRIES);
  private readonly pairTables: Map<string, number>[] = [];

  constructor(readonly model: WordingModel) {
    this.bias = model.bias;
    for (const [term, weight] of Object.entries(model.terms)) {
      const space = term.indexOf(' ');
      if (space < 0) this.unigrams.set(term, weight);
      else {
        const first = term.slice(0, space);
        let second = this.pairs.get(first);
        if (!second) this.pairs.set(first, (second = new Map()));
        second.set(term.slice(space + 1), weight);
        this.seconds.add(term.slice(space + 1));
      }
    }
  }

  /** The message's logit. Reads the stream only; call before the next tokenize. */
  score(stream: TokenStream): number {
    if (stream.epoch !== this.memoEpoch) {
      this.memoEpoch = stream.epoch;
      this.memoPairs.fill(UNSET);
      this.memoSecond.fill(UNSET);
      this.pairTables.length = 0;
    }
    const { tokens, ids, count } = stream;
    const memoPairs = this.memoPairs;
    const memoWeight = this.memoWeight;
    let z = this.bias;
    for (let k = 0; k < count; k++) {
      const id = ids[k] as number;
      let pairs: Map<string, number> | undefined;
      if (id >= 0) {
        let p = memoPairs[id] as number;
        if (p === UNSET) p = this.learn(id, tokens[k] as string);
        z += memoWeight[id] as number;
        if (p > 0) pairs = this.pairTables[p - 1];
      } else {
        const token = tokens[k] as string;
        z += this.unigrams.get(token) ?? 0;
        pairs = this.pairs.get(token);
      }
      if (pairs !== undefined && k + 1 < count && this.endsPair(tokens[k + 1] as string, ids[k + 1] as number))
        z += pairs.get(tokens[k + 1] as string) ?? 0;
    }
    return z;
  }

  /** Fills the memo of a word-table entry; returns its pair-table slot (index + 1, or 0). */
  private learn(id: number, token: string): number {
    this.memoWeight[id] = this.unigrams.get(token) ?? 0;
    const table = this.pairs.get(token);
    if (table) this.pairTables.push(table);
    const slot = table ? this.pairTables.length : 0;
    this.memoPairs[id] = slot;
    return slot;
  }

  /** Whether a word ends some pair (memoised by word-table entry; its unigram memo fills the same way). */
  private endsPair(token: string, id: number): boolean {
    if (id < 0) return this.seconds.has(token);
    const known = this.memoSecond[id] as number;
    if (known !== UNSET) return known === 1;
    const ends = this.seconds.has(token);
    this.memoSecond[id] = ends ? 1 : 0;
    return ends;
  }

  /** The terms of a tokenized message that carry weight, heaviest first: what explains its score. */
  termsOf(tokens: readonly string[]): { term: string; weight: number }[] {
    const out: { term: string; weight: number }[] = [];
    for (let k = 0; k < tokens.length; k++) {
      const token = tokens[k] as string;
      const w = this.unigrams.get(token);
      if (w !== undefined) out.push({ term: token, weight: w });
      const next = tokens[k + 1];
      const pw = next === undefined ? undefined : this.pairs.get(token)?.get(next);
      if (pw !== undefined) out.push({ term: `${token} ${next}`, weight: pw });
    }
    return out.sort((a, b) => b.weight - a.weight);
  }
}

/** A participant's wording score from their top messages' logits (missing slots count as 0). */
export function wordingOf(top: ArrayLike<number> | null): number {
  if (top === null) return 0;
  let sum = 0;
  for (let i = 0; i < WORDING_TOP; i++) sum += top[i] as number;
  return sum / WORDING_TOP;
}

const wordingSchema = z.strictObject({
  version: z.literal(1),
  id: z.string().min(1).max(200).optional(),
  bias: z.number().refine(Number.isFinite, 'must be finite'),
  terms: z.record(
    z.string().regex(/^[^ ]+( [^ ]+)?$/, 'a term is one token or two joined by one space'),
    z.number().refine(Number.isFinite, 'must be finite'),
  ),
  trainedOn: z
    .strictObject({ messages: z.number(), offenderMessages: z.number(), writers: z.array(z.string()), at: z.string() })
    .optional(),
});

/** Checks a wording model loaded from JSON; throws naming the problem. */
export function validateWordingModel(json: unknown): WordingModel {
  const parsed = wordingSchema.safeParse(json);
  if (!parsed.success) throw new Error(`invalid wording model: ${zodProblems(parsed.error.issues).join('; ')}`);
  return parsed.data as WordingModel;
}
