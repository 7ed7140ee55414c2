import type { Resource } from '../resource/define-resource.ts';
import type { Rest } from './interfaces.ts';

/**
 * One resource as a server serves it: the REST object of the resource itself and one REST
 * object per subresource (`status`, `scale`, `log`, ...), by subresource name. Routing, discovery
 * and OpenAPI are all derived from this.
 */
export interface ApiResource {
  resource: Resource;
  rest: Rest;
  subresources: ReadonlyMap<string, Rest>;
  /** Objects in storage per stored version (resources extapi stores; not custom backends or computed views). */
  storedVersions?: () => Promise<Record<string, number>>;
}
