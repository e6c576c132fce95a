import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import type { SecretBox } from "~/lib/secret-box";

/**
 * Wraps Shopify's session storage so access and refresh tokens are stored encrypted:
 * a copy of the database is not a set of working Shopify credentials.
 */
export class EncryptedSessionStorage implements SessionStorage {
  constructor(
    private readonly inner: SessionStorage,
    private readonly box: SecretBox,
  ) {}

  async storeSession(session: Session): Promise<boolean> {
    const params = session.toObject();
    return this.inner.storeSession(
      new Session({
        ...params,
        accessToken: params.accessToken ? this.box.encrypt(params.accessToken, context(session.id, "access")) : params.accessToken,
        refreshToken: params.refreshToken ? this.box.encrypt(params.refreshToken, context(session.id, "refresh")) : params.refreshToken,
      }),
    );
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const stored = await this.inner.loadSession(id);
    return stored && this.decrypt(stored);
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return (await this.inner.findSessionsByShop(shop)).map((s) => this.decrypt(s));
  }

  private decrypt(stored: Session): Session {
    const params = stored.toObject();
    return new Session({
      ...params,
      accessToken: params.accessToken ? this.box.decrypt(params.accessToken, context(stored.id, "access")) : params.accessToken,
      refreshToken: params.refreshToken ? this.box.decrypt(params.refreshToken, context(stored.id, "refresh")) : params.refreshToken,
    });
  }
}

export function context(sessionId: string, kind: "access" | "refresh"): string {
  return `shopify-session:${sessionId}:${kind}-token`;
}
