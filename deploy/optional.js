// @ts-check
'use strict';

/**
 * osls entry points for what is deployed only when a param is set (deploy/stack.js exports them).
 * Each resolves the params its derivation reads through osls and answers the definition kept under
 * `custom`, or null: osls drops a null function (no zip, no log group, no rule; deploy/operations.js
 * gives it no alarms and no dashboard row) and a null entry of `resources`.
 */

/** @typedef {{ resolveVariable: (v: string) => Promise<unknown>, resolveConfigurationProperty: (p: string[]) => Promise<unknown> }} Resolvers */

/**
 * Resolve the params `names` through osls.
 * @param {Resolvers['resolveVariable']} resolveVariable
 * @param {string[]} names
 */
const paramsOf = async (resolveVariable, names) => {
  /** @type {Record<string, unknown>} */
  const values = {};
  for (const param of names) values[param] = await resolveVariable(`param:${param}`);
  return values;
};

/**
 * The value at `path` when `enabled` holds for the params in `needs`, else null.
 * @param {string[]} path
 * @param {(values: Record<string, unknown>) => boolean} enabled
 * @param {string[]} needs
 */
const whenEnabled =
  (path, enabled, needs) =>
  async (/** @type {Resolvers} */ { resolveVariable, resolveConfigurationProperty }) =>
    enabled(await paramsOf(resolveVariable, needs)) ? resolveConfigurationProperty(path) : null;

/** `functions.<fn>`: custom.optionalFunctions.<fn>, or nothing. */
const optionalFunction = (fn, enabled, needs) => whenEnabled(['custom', 'optionalFunctions', fn], enabled, needs);
/** One entry of `resources`: custom.optionalResources.<name>, or nothing. */
const optionalResources = (name, enabled, needs) => whenEnabled(['custom', 'optionalResources', name], enabled, needs);

module.exports = { paramsOf, optionalFunction, optionalResources };
