import { handlers } from "@/lib/identity/config";

export const { GET, POST } = handlers;
