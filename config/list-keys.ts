// The keys a config section allows, found by walking the schema along an issue's path, so an
// unknown key can be answered with the key that was probably meant.
import type { z } from "zod";

// The parts of a zod schema definition the walk reads (zod's own, public through `_zod.def`).
interface SchemaDef {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  element?: z.core.$ZodType;
  options?: z.core.$ZodType[];
}

const defOf = (schema: z.core.$ZodType): SchemaDef => schema._zod.def as SchemaDef;

// Peels defaults, optionals and transforms down to the schema that checks the value's shape.
function unwrap(schema: z.core.$ZodType): z.core.$ZodType[] {
  const def = defOf(schema);
  if (def.innerType) return unwrap(def.innerType);
  if (def.type === "pipe" && def.in) return unwrap(def.in);
  if (def.type === "union" && def.options) return def.options.flatMap(unwrap);
  return [schema];
}

function step(schema: z.core.$ZodType, key: PropertyKey): z.core.$ZodType[] {
  const def = defOf(schema);
  if (def.type === "object") return def.shape && typeof key === "string" && key in def.shape ? [def.shape[key]!] : [];
  if (def.type === "record" && def.valueType) return [def.valueType];
  if (def.type === "array" && def.element && typeof key === "number") return [def.element];
  return [];
}

// The keys of the mapping at path in schema, or none when path does not lead to a fixed mapping.
export function listKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let here = unwrap(schema);
  for (const key of path) here = here.flatMap((s) => step(s, key)).flatMap(unwrap);
  return here.flatMap((s) => Object.keys(defOf(s).type === "object" ? defOf(s).shape ?? {} : {}));
}
