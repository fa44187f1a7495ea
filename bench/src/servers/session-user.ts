// The one field the bench's sessions hold, for both frameworks.
declare module 'express-session' {
  interface SessionData {
    user?: string;
  }
}

declare module 'fastify' {
  interface Session {
    user?: string;
  }
}

export {};
