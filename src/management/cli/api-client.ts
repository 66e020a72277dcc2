// The CLI's HTTP client for /api/v1: bearer token, JSON, and the server's error message carried as ApiError.
export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** e.g. http://127.0.0.1:8090 (the /api/v1 prefix is added). */
  readonly baseUrl: string;
  readonly token: string;
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export class ApiClient {
  private readonly base: string;
  private readonly token: string;

  constructor(options: ApiClientOptions) {
    this.base = `${options.baseUrl.replace(/\/+$/, '')}/api/v1`;
    this.token = options.token;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, query, undefined);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, {}, body);
  }

  /** The answer's body, when the API sends one (most DELETEs answer 204). */
  delete<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path, {}, undefined);
  }

  private async request<T>(method: string, path: string, query: Query, body: unknown): Promise<T> {
    const url = new URL(`${this.base}${path}`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new ApiError(0, 'unreachable', `Cannot reach the vtl API at ${url.origin}: ${cause}`);
    }
    const text = await response.text();
    if (!response.ok) throw errorOf(response.status, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

function errorOf(status: number, text: string): ApiError {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.message === 'string') {
      return new ApiError(status, typeof parsed.error.code === 'string' ? parsed.error.code : 'error', parsed.error.message);
    }
  } catch {
    // Not our JSON (a proxy's page): fall through to the status line.
  }
  return new ApiError(status, 'error', `HTTP ${status}${text.trim() === '' ? '' : `: ${text.trim().slice(0, 200)}`}`);
}
