/** The signed-in caller, established from a verified access token only. */
export interface Viewer {
  userId: string;
  roles: string[];
  /** Refresh-token family the access token was issued for. */
  sessionId?: string;
}

/** What every subgraph resolver can rely on; subgraphs add their own fields. */
export interface BaseContext {
  viewer: Viewer | null;
  request: Request;
}
