import type { OpenAPIObject } from '@nestjs/swagger';
import recorded from './response-examples.json';

/**
 * Each read route's example answer, recorded from a real run over a sample history by
 * `npm run openapi:examples` (ids, hashes and times are what the service produced).
 */
const EXAMPLES = recorded as Record<string, unknown>;

/** Puts the recorded examples on the 200 answers of the GET operations they were taken from. */
export function withResponseExamples(document: OpenAPIObject): OpenAPIObject {
  for (const [path, example] of Object.entries(EXAMPLES)) {
    const response = document.paths[path]?.get?.responses?.['200'];
    const media =
      response && 'content' in response ? response.content?.['application/json'] : undefined;
    if (media) media.example = example;
  }
  return document;
}
