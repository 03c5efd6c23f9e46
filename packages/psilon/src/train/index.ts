export { taskLoss, batchTensors, evaluate, checkData, argmax } from './loss.js';
export { train, objective, setParameters, DivergenceError, type TrainOptions, type TrainResult, type EpochRecord, type StepRecord, type Schedule, type ObjectiveConvention } from './train.js';
export { selectLambda, type SelectLambdaOptions, type LambdaRun } from './lambda.js';
export { Progress, formatSeconds } from './progress.js';
export { fitRidge, selectRidge, ridgeRMSE, choleskySolve, RIDGE_ALPHAS, type Ridge } from './linear/ridge.js';
export { fitLogistic, selectLogistic, logisticScore, LOGISTIC_ALPHAS, type Logistic } from './linear/logistic.js';
export { LINEAR_ALPHAS, selectByValidation } from './linear/select.js';
export { checkTrainInputs } from './validate.js';
