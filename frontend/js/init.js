// Start every GOV.UK Frontend component on the page (buttons, error summary focus, ...).
import { initAll } from "./govuk-frontend.min.js";

initAll();
