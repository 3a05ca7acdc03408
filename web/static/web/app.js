// CareerHub's one script: small touches on pages that work without it.
document.addEventListener("DOMContentLoaded", () => {
  // Sign-up: the browser knows the person's time zone better than a default of UTC.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const input of document.querySelectorAll("input[data-browser-time-zone]")) {
    if (zone && (!input.value || input.value === "UTC")) input.value = zone;
  }
});
