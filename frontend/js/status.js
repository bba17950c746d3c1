// The connection badge every screen shows: live, connecting, reconnecting (with the wait), offline
// (with how many actions wait to be sent), gone.
import { t, tn } from "./i18n.js";

export function connectionStatus(statusElement) {
  return (status, seconds, queued = 0) => {
    statusElement.dataset.state = status;
    if (status === "live") statusElement.textContent = t("live");
    else if (status === "offline" && queued) statusElement.textContent = tn("offlineQueued", queued);
    else if (status === "offline") statusElement.textContent = t("offline");
    else if (status === "reconnecting" && seconds) statusElement.textContent = t("reconnectingIn", { seconds });
    else if (status === "reconnecting") statusElement.textContent = t("reconnecting");
    else if (status === "gone") statusElement.textContent = t("gone");
    else statusElement.textContent = t("connecting");
  };
}
