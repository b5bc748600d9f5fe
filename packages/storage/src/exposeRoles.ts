// Both stores are a facade over one object per role (sqlite/, postgres/): this puts the roles' methods on it.

/** Copies each role's own methods onto the facade, bound to the role; a name defined twice is a programming error. */
export function exposeRoles(facade: object, roles: object[]): void {
  const target = facade as Record<string, unknown>;
  for (const role of roles) {
    const proto = Object.getPrototypeOf(role) as object;
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor') continue;
      const method = (role as Record<string, unknown>)[name];
      if (typeof method !== 'function') continue;
      if (name in target) throw new Error(`storage method ${name} is defined by two roles`);
      target[name] = method.bind(role);
    }
  }
}
