import { connect, type Socket } from "node:net";
import { describe, expect, inject, it } from "vitest";
import { api } from "./client";
import { registeredVerifiedUser } from "./helpers";

/** Clients that send their requests a byte at a time (slowloris) do not stop anyone else. */
describe("200 slow clients", () => {
  it("do not stop a login, which answers as fast as without them", async () => {
    const { email, password } = await registeredVerifiedUser();
    const login = async () => {
      const started = performance.now();
      const res = await api("POST", "/auth/login/", { json: { email, password } });
      expect(res.status).toBe(200);
      return performance.now() - started;
    };
    const before = await login();

    const { port } = new URL(inject("baseUrl"));
    const sockets: Socket[] = [];
    const trickles: NodeJS.Timeout[] = [];
    for (let i = 0; i < 200; i++) {
      const socket = connect(Number(port), "127.0.0.1");
      socket.on("error", () => {});
      sockets.push(socket);
      const head = `POST /auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Padding: ${"x".repeat(200)}`;
      let sent = 0;
      trickles.push(setInterval(() => sent < head.length && socket.write(head[sent++]!), 100));
    }
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const during = [await login(), await login(), await login()];
      expect(Math.max(...during)).toBeLessThan(Math.max(1000, before * 5));
    } finally {
      trickles.forEach(clearInterval);
      sockets.forEach((s) => s.destroy());
    }
  }, 60_000);
});
