/** The byte tokenizer over a larger vocabulary, so benchmarks can size the output head like a real model's. */
import type { ByteTokenizer } from '../engine/tokenizer/byte.ts';
import type { Tokenizer } from '../engine/types.ts';

/** `bytes` with `vocabSize` ids; ids past its own decode to nothing (the sampler decodes every response). */
export function wideVocabulary(bytes: ByteTokenizer, vocabSize: number): Tokenizer {
  return {
    id: bytes.id,
    vocabSize,
    bosId: bytes.bosId,
    eosId: bytes.eosId,
    padId: bytes.padId,
    encode: (text) => bytes.encode(text),
    decode: (ids) => bytes.decode(ids.filter((id) => id < bytes.vocabSize)),
  };
}
