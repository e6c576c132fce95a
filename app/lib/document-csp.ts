/**
 * The Content-Security-Policy of every page Remix renders (the merchant's /app pages, the login
 * form, error pages). The shopper pages are resource routes with their own, stricter policy
 * (app/payments/shopper-pages.server.ts).
 *
 * - Scripts: our bundles, and Remix's inline scripts with this response's nonce only.
 * - Styles: Polaris's stylesheet from our origin; Polaris sets style attributes on its
 *   components (custom properties), which `style-src-attr 'unsafe-inline'` allows without
 *   allowing any <style> element or stylesheet from elsewhere.
 * - Forms: our own, and the OAuth redirect the login form leads to (the shop's admin, on
 *   *.myshopify.com).
 * - Never framed (a payments app is not embedded), no plugins, no <base>.
 */
export function documentContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self' https://*.myshopify.com",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}
