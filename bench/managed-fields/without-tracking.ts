/**
 * Preloaded (`node --import tsx --import <this file>`) into the "without" server of
 * `npm run bench -- --managed-fields` only: FieldManager.update returns the written object as
 * the request gave it, so creates, updates and non-apply patches record no managedFields (the
 * state before field tracking existed). Nothing else changes; the bench checks that the seeded
 * objects of this server carry no managedFields and those of the other server do.
 */
import { FieldManager } from '../../src/apply/field-manager.ts';
import type { KubeObject } from '../../src/apimachinery/types.ts';

FieldManager.prototype.update = function untracked(_live: KubeObject | undefined, next: KubeObject): KubeObject {
  return next;
};
