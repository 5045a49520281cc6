/** Template-shape rewards: GZ eq. 4 / OT `R_format`, and OT's partial-credit `R_tags`. */
import type { ParsedResponse } from './template.ts';

/**
 * GZ eq. 4 (`F(a)`) and OT `1{tags_valid(y)}`: 1 iff both blocks are present once, in order, closed, with nothing
 * but whitespace outside them (SPEC §2). A response cut by the window has no closing tag and so scores 0 (SPEC §5).
 */
export function formatReward(parsed: ParsedResponse): 0 | 1 {
  return parsed.wellFormed ? 1 : 0;
}

/**
 * OT §4.4 `R_tags = |tags_present(y)| / 4` over the four markers; "present" means occurring at least once, so a
 * duplicated tag still counts once here (the duplicate is what `formatReward` punishes).
 */
export function tagsReward(parsed: ParsedResponse): number {
  return parsed.tagsPresent / 4;
}
