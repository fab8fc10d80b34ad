export { PrivacyAlerts, type PrivacyAlert, type NewPrivacyAlert } from './privacy-alerts';
