import "server-only";
import { notFound } from "next/navigation";
import { AppError } from "./errors";

/** Awaits a read for a page; NOT_FOUND from lib/ becomes the page's 404, exactly as a missing record. */
export async function orNotFound<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}
