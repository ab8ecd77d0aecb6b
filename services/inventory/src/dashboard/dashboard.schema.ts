import Joi from 'joi';

/** Shortest and longest window the dashboard charts, in minutes (one point per minute). */
export const windowMinutes = { min: 5, max: 1440, default: 60 } as const;

export const metricsQuery = Joi.object({
  minutes: Joi.number().integer().min(windowMinutes.min).max(windowMinutes.max).default(windowMinutes.default),
});
