// Which risk model scores each tenant: `serve --model FILE` sets the default, `--model-dir DIR` holds
// one FILE per tenant (DIR/<tenant id>.json). Every file is checked with core's validateModel before
// the service listens, and every model gets an id, so every score can say which model produced it.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DEFAULT_MODEL, validateModel, type RiskModel } from '@lifeguard/core';

/** A model file that cannot be used; the message names the file and the problem. */
export class ModelError extends Error {}

/** The id every score from this model records: its own `id`, else "default". */
export function modelIdOf(model: RiskModel): string {
  return model.id ?? 'default';
}

/**
 * Reads and validates one model file. A file without an `id` is named after the file and its content
 * (e.g. "model-3f2a9c1b"), so two different files never record the same id.
 */
export function loadModelFile(path: string): RiskModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelError(
      `model file ${path}: ${code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? (err as Error).message})`}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelError(`model file ${path}: not JSON (${(err as Error).message})`);
  }
  let model: RiskModel;
  try {
    model = validateModel(json);
  } catch (err) {
    throw new ModelError(`model file ${path}: ${(err as Error).message}`);
  }
  if (model.id !== undefined) return model;
  const digest = createHash('sha256')
    .update(JSON.stringify({ weights: model.weights, bias: model.bias }))
    .digest('hex')
    .slice(0, 8);
  return { ...model, id: `${basename(path).replace(/\.json$/i, '')}-${digest}` };
}

/** Models for the service: a default and any per-tenant ones (plain data, so tests can pass models directly). */
export interface ServiceModels {
  default?: RiskModel;
  tenants?: Record<string, RiskModel>;
}

/** The model a tenant's detector uses: its own, else the service default, else the built-in one. */
export function modelForTenant(models: ServiceModels | undefined, tenantId: string): RiskModel {
  const own = models?.tenants && Object.hasOwn(models.tenants, tenantId) ? models.tenants[tenantId] : undefined;
  return own ?? models?.default ?? DEFAULT_MODEL;
}

/**
 * Loads `--model` and every `*.json` in `--model-dir` (the file name, less `.json`, is the tenant id).
 * Throws ModelError on the first unusable file: a half-loaded set would score some tenants with the
 * wrong model without anyone noticing.
 */
export function loadServiceModels(options: { model?: string; modelDir?: string }): ServiceModels {
  const models: ServiceModels = {};
  if (options.model) models.default = loadModelFile(options.model);
  if (options.modelDir) {
    let names: string[];
    try {
      if (!statSync(options.modelDir).isDirectory())
        throw new ModelError(`--model-dir ${options.modelDir}: not a directory`);
      names = readdirSync(options.modelDir);
    } catch (err) {
      if (err instanceof ModelError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new ModelError(
        `--model-dir ${options.modelDir}: ${code === 'ENOENT' ? 'directory not found' : `cannot read (${code ?? (err as Error).message})`}`,
      );
    }
    // No prototype: a file named __proto__.json is a tenant like any other, not an object's prototype.
    const tenants = Object.create(null) as Record<string, RiskModel>;
    for (const name of names.sort()) {
      if (!name.toLowerCase().endsWith('.json')) continue;
      const tenantId = name.slice(0, -'.json'.length);
      if (tenantId === '')
        throw new ModelError(`--model-dir ${options.modelDir}: "${name}" names no tenant (expected <tenant id>.json)`);
      if (Object.hasOwn(tenants, tenantId))
        throw new ModelError(
          `--model-dir ${options.modelDir}: two files for tenant "${tenantId}" (file names differ only in the case of .json)`,
        );
      tenants[tenantId] = loadModelFile(join(options.modelDir, name));
    }
    models.tenants = tenants;
  }
  return models;
}
