/** The parts of an OpenAPI document the fuzz suite reads: operations, parameters, JSON bodies. */
import type { JsonSchema } from './schema.js';

export interface OpenApiParameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}
export interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

export interface Operation {
  id: string;
  method: string;
  template: string;
  params: OpenApiParameter[];
  body: JsonSchema | undefined;
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [template, methods] of Object.entries(doc.paths))
    for (const [m, op] of Object.entries(methods)) {
      const method = m.toUpperCase();
      out.push({
        id: `${method} ${template}`,
        method,
        template,
        params: op.parameters ?? [],
        body: op.requestBody?.content['application/json']?.schema,
      });
    }
  return out;
}
