import { InMemoryTransport, type AuthInfo, type JSONRPCMessage, type JSONRPCRequest, type JSONRPCResponse, type McpServer } from '@modelcontextprotocol/server';

/**
 * One pooled McpServer kept connected, for its whole life, to one end of the SDK's own in-memory
 * transport pair; the gateway holds the other end. A call is the message handed to the server
 * through the SDK's normal transport path (`onmessage` with the caller's `authInfo`) and the
 * JSON-RPC response it sends back — the same dispatch, validation and result encoding as over
 * Streamable HTTP, without what that transport costs per request: converting the Node request to
 * a Web `Request` and the Web `Response` back, and connecting and closing the server each time
 * (closing builds a "connection closed" error with its stack trace).
 *
 * One call at a time per exchange (the pool hands an exchange to one request until it settles),
 * so JSON-RPC ids from different callers never meet in the SDK's per-connection bookkeeping.
 * Messages the server sends that are not the response (notifications) are dropped, as the
 * Streamable HTTP transport drops them in JSON-response mode; the gateway sends here only calls
 * that emit none (see `needsStream`).
 */
export class McpDirectExchange {
  private pending?: { id: JSONRPCRequest['id']; resolve: (response: JSONRPCResponse) => void };

  private constructor(private readonly client: InMemoryTransport) {
    client.onmessage = (message: JSONRPCMessage) => {
      const pending = this.pending;
      if (!pending || !('id' in message) || 'method' in message || message.id !== pending.id) return;
      this.pending = undefined;
      pending.resolve(message as JSONRPCResponse);
    };
  }

  static async connect(server: McpServer): Promise<McpDirectExchange> {
    const [client, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.start();
    // The server stays reachable through the transport pair for as long as the exchange is.
    return new McpDirectExchange(client);
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Dispatches one JSON-RPC request; resolves with its response (a result or a JSON-RPC error). */
  call(request: JSONRPCRequest, authInfo: AuthInfo): Promise<JSONRPCResponse> {
    if (this.pending) throw new Error('McpDirectExchange serves one call at a time');
    const answered = new Promise<JSONRPCResponse>((resolve) => {
      this.pending = { id: request.id, resolve };
    });
    return this.client.send(request, { authInfo }).then(
      () => answered,
      (error: unknown) => {
        this.pending = undefined;
        throw error;
      },
    );
  }
}
