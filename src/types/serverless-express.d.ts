declare module '@codegenie/serverless-express' {
  import type { RequestListener } from 'node:http';
  export type LambdaHandler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers?: Record<string, string>; body: string; isBase64Encoded?: boolean; cookies?: string[] }>;
  export default function configure(options: { app: RequestListener; binarySettings?: { contentTypes?: string[] } }): LambdaHandler;
}
