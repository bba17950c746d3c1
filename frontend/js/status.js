// The connection badge every screen shows: live, connecting, reconnecting (with the wait), gone.
import { t } from "./i18n.js";

export function connectionStatus(statusElement) {
  return (status, seconds) => {
    statusElement.dataset.state = status;
    if (status === "live") statusElement.textContent = t("live");
    else if (status === "reconnecting" && seconds) statusElement.textContent = t("reconnectingIn", { seconds });
    else if (status === "reconnecting") statusElement.textContent = t("reconnecting");
    else if (status === "gone") statusElement.textContent = t("gone");
    else statusElement.textContent = t("connecting");
  };
}
