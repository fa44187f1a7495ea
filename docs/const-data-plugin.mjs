// A TypeDoc plugin for the API reference: the fields inside an exported const's object literal
// (the rows of `rateLimitMetricSpecs` and the like, and their `subsystem`, `name`, `help`) are
// data, described by the const's own comment and the type the literal satisfies (`CounterSpec`),
// so they need no comment each. Everything else (functions, classes, interfaces, their members,
// type aliases, and the const itself) must still be documented.
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const dataFields = [];
    for (const reflection of context.project.getReflectionsByKind(ReflectionKind.Property)) {
      // Only the uncommented ones: a name listed but documented is itself a warning.
      if (insideConstLiteral(reflection) && !reflection.hasComment()) {
        dataFields.push(reflection.getFriendlyFullName());
      }
    }
    const listed = app.options.getValue('intentionallyNotDocumented');
    app.options.setValue('intentionallyNotDocumented', [...listed, ...dataFields]);
  });
}

/** The property sits in a type literal whose owner, up the chain, is a variable. */
function insideConstLiteral(reflection) {
  for (let parent = reflection.parent; parent; parent = parent.parent) {
    if (parent.kindOf(ReflectionKind.Variable)) return true;
    if (!parent.kindOf(ReflectionKind.TypeLiteral | ReflectionKind.Property)) return false;
  }
  return false;
}
