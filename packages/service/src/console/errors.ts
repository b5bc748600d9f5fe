// Console error codes on top of the API's {error, code, problems?} shape.
import { ApiError, type ErrorCode } from '../http/errors.ts';

export type ConsoleErrorCode =
  | ErrorCode
  | 'invalid_credentials'
  | 'tenant_required'
  | 'locked'
  | 'unauthenticated'
  | 'csrf'
  | 'claimed'
  | 'same_reviewer'
  | 'not_claimed';

export class ConsoleError extends ApiError {
  constructor(
    statusCode: number,
    code: ConsoleErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    problems?: string[],
  ) {
    super(statusCode, code as ErrorCode, message, problems);
  }

  override body() {
    return { ...super.body(), ...this.extra };
  }
}

export const forbidden = (what: string) => new ConsoleError(403, 'forbidden', `your role may not ${what}`);
export const unauthenticated = () =>
  new ConsoleError(401, 'unauthenticated', 'not signed in, or the session has ended; sign in again');
export const caseNotFound = (id: string) => new ConsoleError(404, 'not_found', `no case ${id}`);
