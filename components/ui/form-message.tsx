/** The summary at the top of a failed form, announced to screen readers. */
export function FormMessage({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div role="alert" className="mb-4 border-l-4 border-danger bg-white p-4">
      <p className="font-semibold text-danger">There is a problem</p>
      <p>{message}</p>
    </div>
  );
}
